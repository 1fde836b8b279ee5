using PosSupport.Core.Cases;
using PosSupport.Core.FollowUps;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Tests.Slices;

// A migration moves every open case of the workflow, so each test that opens cases gets a database of its own
// (MigrationWorld); the class fixture serves the tests that are refused before reading any case.
public abstract class MigrationTests<TFixture>(TFixture fixture) where TFixture : SliceFixture, new()
{
    protected TFixture Fixture { get; } = fixture;

    private const string DataFee = "data-fee-cancellation";
    private static readonly Caller Cli = Caller.System("workflows-migrate");
    private static readonly Dictionary<string, string> FullMap = new()
    {
        ["collecting-evidence"] = "gathering-evidence",
        ["gathering-contract"] = "gathering-contract",
    };

    private sealed record Opened(OpenCase.Result Waiting, OpenCase.Result Gathering, OpenCase.Result Closed);

    // Two open cases in different states, and a closed one, all on version 2 (the newest shipped).
    private static async Task<Opened> OpenCasesOnVersion2Async(MigrationWorld world)
    {
        var agent = Caller.Agent(Guid.NewGuid());
        var withContract = await world.Before.NamedMerchantAsync(TestDataQueries.Unique("迁移商户"));
        var withoutContract = await world.Before.NamedMerchantAsync(TestDataQueries.Unique("迁移商户"), withContract: false);
        var waiting = await world.Before.OpenDataFeeAsync(withContract.MerchantId, agent);
        var gathering = await world.Before.OpenDataFeeAsync(withoutContract.MerchantId, agent);
        var closed = await world.Before.OpenDataFeeAsync(withContract.MerchantId, agent);
        await world.Before.FireAsync(closed.Id, "withdraw", agent);
        Assert.Equal(("collecting-evidence", "gathering-contract"), (waiting.State, gathering.State));
        return new Opened(waiting, gathering, closed);
    }

    private static Task<List<string>> PinsAsync(MigrationWorld world) => world.Before.QueryAsync<string>(
        "SELECT number || ' v' || CAST(workflow_version AS TEXT) || ' ' || state || ' #' || CAST(version AS TEXT) FROM cases ORDER BY number");

    [Fact]
    public async Task Each_open_case_moves_to_the_mapped_state_of_the_new_version_with_its_follow_ups_rearmed()
    {
        await using var world = await MigrationWorld.CreateAsync<TFixture>();
        var opened = await OpenCasesOnVersion2Async(world);
        world.Before.Clock.Advance(TimeSpan.FromHours(3));
        var now = world.Before.Clock.GetUtcNow();

        var result = await world.SendAfterAsync(new MigrateCases.Command(DataFee, 3, FullMap, Cli));

        Assert.Empty(result.NotMoved);
        Assert.Equal([(opened.Waiting.Id, 2, "collecting-evidence", "gathering-evidence"), (opened.Gathering.Id, 2, "gathering-contract", "gathering-contract")],
            result.Moves.Select(m => (m.CaseId, m.FromVersion, m.FromState, m.ToState)).OrderBy(m => m.FromState));
        var moved = await world.SendAfterAsync(new GetCase.Query(opened.Waiting.Id, Caller.Agent(Guid.NewGuid())));
        Assert.Equal((3, "gathering-evidence", "waiting-on-merchant", opened.Waiting.Version + 1),
            (moved.Case.WorkflowVersion, moved.Case.State, moved.Case.StateKind, moved.Case.Version));
        Assert.Contains(moved.AllowedActions, a => a.Trigger == "evidence-complete");
        Assert.Equal([("evidence-missing", now.AddDays(2)), ("evidence-timed-out", now.AddDays(7))],
            moved.PendingFollowUps.Where(f => !f.Kind.StartsWith("sla-", StringComparison.Ordinal)).Select(f => (f.Template ?? f.Trigger!, f.DueAt)).Order());
        Assert.Equal(0L, await world.Before.ScalarAsync<long>(
            "SELECT COUNT(*) FROM follow_ups WHERE case_id = @Id AND state = 'collecting-evidence' AND status = 'pending'", opened.Waiting));
        Assert.Equal(3, await world.Before.ScalarAsync<int>("SELECT workflow_version FROM cases WHERE id = @Id", opened.Gathering));
        Assert.Equal((2, "closed"), (await world.Before.ScalarAsync<int>("SELECT workflow_version FROM cases WHERE id = @Id", opened.Closed),
            await world.Before.ScalarAsync<string>("SELECT state FROM cases WHERE id = @Id", opened.Closed)));

        var timeline = (await world.SendAfterAsync(new GetTimeline.Query(opened.Waiting.Id, Caller.Agent(Guid.NewGuid()), Limit: 200))).Events;
        Assert.Equal(Enumerable.Range(1, timeline.Count).Select(i => (long)i), timeline.Select(e => e.Seq));
        var migrated = timeline[^1];
        Assert.Equal(("workflow-migrated", "system", "workflows-migrate", false, now), (migrated.Kind, migrated.Actor, migrated.ActorId, migrated.MerchantVisible, migrated.At));
        Assert.Equal((2, "collecting-evidence", 3, "gathering-evidence"), (migrated.Data.GetProperty("fromVersion").GetInt32(),
            migrated.Data.GetProperty("fromState").GetString(), migrated.Data.GetProperty("toVersion").GetInt32(), migrated.Data.GetProperty("toState").GetString()));
        Assert.Equal("已迁移至流程第 3 版", migrated.Data.GetProperty("title").GetProperty("zhCn").GetString());

        var escalated = await world.SendAfterAsync(new FireTrigger.Command(opened.Waiting.Id, "escalate", new Dictionary<string, string>(), Caller.Agent(Guid.NewGuid())));
        Assert.Equal("escalated", escalated.State);
    }

    [Fact]
    public async Task A_moved_case_keeps_its_state_sla_clock_running_from_when_it_entered_the_state()
    {
        await using var world = await MigrationWorld.CreateAsync<TFixture>();
        var agent = Caller.Agent(Guid.NewGuid());
        var merchant = await world.Before.NamedMerchantAsync(TestDataQueries.Unique("迁移商户"));
        var opened = await world.Before.OpenDataFeeAsync(merchant.MerchantId, agent);
        await world.Before.FireAsync(opened.Id, "escalate", agent);
        world.Before.Clock.Advance(TimeSpan.FromHours(1));

        await world.SendAfterAsync(new MigrateCases.Command(DataFee, 3, new Dictionary<string, string> { ["escalated"] = "escalated" }, Cli));

        // The escalated state's clock (a warning and a breach) is pending again on version 3, not cancelled with version 2's rows.
        var rows = await world.Before.QueryAsync<Guid>(
            "SELECT id FROM follow_ups WHERE case_id = @Id AND state = 'escalated' AND status = 'pending' ORDER BY kind DESC", opened);
        Assert.Equal(2, rows.Count);

        // Run an hour after the migration, they find the clock not yet due (it counts from the escalation) and wait.
        Assert.All(await FireAllAsync(world, rows), r => Assert.Equal(FollowUpOutcome.Rescheduled, r.Outcome));
        // Days later the clock has warned and breached, once each.
        world.Before.Clock.Advance(TimeSpan.FromDays(5));
        Assert.Equal([FollowUpOutcome.Warned, FollowUpOutcome.Breached], (await FireAllAsync(world, rows)).Select(r => r.Outcome));
        var timeline = (await world.SendAfterAsync(new GetTimeline.Query(opened.Id, agent, Limit: 200))).Events;
        Assert.Single(timeline, e => e.Kind == "sla-breached");
    }

    private static async Task<List<FireFollowUp.Result>> FireAllAsync(MigrationWorld world, List<Guid> rows)
    {
        var results = new List<FireFollowUp.Result>();
        foreach (var row in rows) results.Add(await world.SendAfterAsync(new FireFollowUp.Command(row)));
        return results;
    }

    [Fact]
    public async Task A_dry_run_lists_what_would_move_and_writes_nothing()
    {
        await using var world = await MigrationWorld.CreateAsync<TFixture>();
        var opened = await OpenCasesOnVersion2Async(world);
        var pins = await PinsAsync(world);
        var events = await world.Before.ScalarAsync<long>("SELECT COUNT(*) FROM case_events");

        var result = await world.SendAfterAsync(new MigrateCases.Command(DataFee, 3, FullMap, Cli, DryRun: true));

        Assert.True(result.DryRun);
        Assert.Equal([opened.Waiting.Number, opened.Gathering.Number], result.Moves.Select(m => m.Number).Order());
        Assert.Equal(pins, await PinsAsync(world));
        Assert.Equal(events, await world.Before.ScalarAsync<long>("SELECT COUNT(*) FROM case_events"));
    }

    [Fact]
    public async Task Unmapped_and_unknown_states_are_refused_all_at_once_and_nothing_moves()
    {
        await using var world = await MigrationWorld.CreateAsync<TFixture>();
        await OpenCasesOnVersion2Async(world);
        var pins = await PinsAsync(world);

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => world.SendAfterAsync(new MigrateCases.Command(DataFee, 3,
            new Dictionary<string, string> { ["gathering-contract"] = "nowhere", ["colecting-evidence"] = "gathering-evidence" }, Cli, DryRun: true)));

        Assert.Equal(["StateMap.colecting-evidence", "StateMap.collecting-evidence", "StateMap.gathering-contract"], error.Errors.Keys.Order());
        Assert.StartsWith("1 open case(s) (version 2) are in 'collecting-evidence', which the map leaves out. Map it to one of: gathering-contract, gathering-evidence,",
            Assert.Single(error.Errors["StateMap.collecting-evidence"]), StringComparison.Ordinal);
        Assert.Equal(["'nowhere' is not a state of data-fee-cancellation v3."], error.Errors["StateMap.gathering-contract"]);
        Assert.Equal(["'colecting-evidence' is not a state of any earlier version of 'data-fee-cancellation'."], error.Errors["StateMap.colecting-evidence"]);
        Assert.Equal(pins, await PinsAsync(world));
    }

    [Fact]
    public async Task Same_named_states_must_be_mapped_explicitly_and_open_cases_may_not_be_resolved_or_closed_by_a_migration()
    {
        await using var world = await MigrationWorld.CreateAsync<TFixture>();
        await OpenCasesOnVersion2Async(world);

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => world.SendAfterAsync(new MigrateCases.Command(DataFee, 3,
            new Dictionary<string, string> { ["collecting-evidence"] = "resolved-refund", ["assessing"] = "closed" }, Cli)));

        Assert.Equal(["StateMap.assessing", "StateMap.collecting-evidence", "StateMap.gathering-contract"], error.Errors.Keys.Order());
        Assert.EndsWith("map it explicitly (gathering-contract=gathering-contract).", Assert.Single(error.Errors["StateMap.gathering-contract"]), StringComparison.Ordinal);
        Assert.EndsWith("but 'resolved-refund' is resolved: open cases must stay open and resolved ones resolved.",
            Assert.Single(error.Errors["StateMap.collecting-evidence"]), StringComparison.Ordinal);
        Assert.Equal(["'closed' is final in data-fee-cancellation v3: a migration does not close cases."], error.Errors["StateMap.assessing"]);
    }

    [Fact]
    public async Task Running_it_again_moves_nothing_more_and_moving_back_to_the_older_version_is_refused()
    {
        await using var world = await MigrationWorld.CreateAsync<TFixture>();
        await OpenCasesOnVersion2Async(world);
        await world.SendAfterAsync(new MigrateCases.Command(DataFee, 3, FullMap, Cli));
        var pins = await PinsAsync(world);

        var again = await world.SendAfterAsync(new MigrateCases.Command(DataFee, 3, FullMap, Cli));
        var back = await Assert.ThrowsAsync<ValidationFailedException>(() => world.SendAfterAsync(new MigrateCases.Command(DataFee, 2,
            new Dictionary<string, string> { ["gathering-evidence"] = "collecting-evidence", ["gathering-contract"] = "gathering-contract" }, Cli)));

        Assert.Empty(again.Moves);
        Assert.Equal(["2 open case(s) are on version 3, newer than 2: migrations only move forward."], back.Errors["ToVersion"]);
        Assert.Equal(pins, await PinsAsync(world));
    }

    [Fact]
    public async Task A_version_loaded_but_never_published_to_this_database_is_refused()
    {
        await using var world = await MigrationWorld.CreateAsync<TFixture>(publishVersion3: false);

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => world.SendAfterAsync(new MigrateCases.Command(DataFee, 3, FullMap, Cli)));

        Assert.Equal(["data-fee-cancellation v3 is not published in this database: start the application with it first."], error.Errors["ToVersion"]);
    }

    [Fact]
    public async Task A_workflow_or_version_that_is_not_loaded_is_refused()
    {
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => Fixture.SendAsync(new MigrateCases.Command("parking-fine", 3, FullMap, Cli)));
        var unloaded = await Assert.ThrowsAsync<ValidationFailedException>(() => Fixture.SendAsync(new MigrateCases.Command(DataFee, 3, FullMap, Cli)));

        Assert.Equal(["ToVersion", "WorkflowId"], error.Errors.Keys.Order());
        Assert.Equal(["Version 3 of 'data-fee-cancellation' is not loaded: add its file to the workflows directory first."], unloaded.Errors["ToVersion"]);
    }

    [Fact]
    public async Task Only_the_system_moves_cases_between_versions()
    {
        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new MigrateCases.Command(DataFee, 1, FullMap, Caller.Supervisor(Guid.NewGuid()))));
        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new MigrateCases.Command(DataFee, 1, FullMap, Caller.Channel(Guid.NewGuid()))));
    }
}

public sealed class MigrationOnSqlite(SqliteSliceFixture fixture) : MigrationTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class MigrationOnPostgres(PostgresSliceFixture fixture) : MigrationTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
