using Microsoft.Extensions.DependencyInjection;
using System.Text.RegularExpressions;
using PosSupport.Core.Cases;
using PosSupport.Core.Data;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Tests.Slices;

public abstract class CaseLifecycleTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;
    private static readonly Dictionary<string, string> NoInputs = [];

    private async Task<(OpenCase.Result Case, TestData.MerchantSetup Merchant, Caller Channel)> OpenDataFeeCaseAsync(bool withContract = true, bool dataFeeClause = true)
    {
        var merchant = await Fixture.MerchantAsync(withContract: withContract, dataFeeClause: dataFeeClause);
        var channel = Caller.Channel(Guid.NewGuid());
        await Fixture.WithConnectionAsync(c => Dapper.SqlMapper.ExecuteAsync(c,
            "INSERT INTO api_clients (id, name, role, key_hash, created_at) VALUES (@id, @name, 'channel', @hash, @now)",
            new { id = channel.ChannelClientId, name = "wechat-" + channel.Id[..8], hash = channel.Id, now = SliceFixture.Start }));
        var opened = await Fixture.SendAsync(new OpenCase.Command("data-fee-cancellation", merchant.MerchantId, "流量费被扣了99元，我没收到通知", channel,
            ClaimAmountFen: 9_900, ClaimChargedOn: new DateOnly(2026, 11, 1), ConversationId: "conv-1"));
        return (opened, merchant, channel);
    }

    private Task<List<long>> SequenceAsync(Guid caseId) =>
        Fixture.QueryAsync<long>("SELECT seq FROM case_events WHERE case_id = @caseId ORDER BY seq", new { caseId });

    [Fact]
    public async Task Opening_a_data_fee_case_captures_the_contract_and_asks_the_merchant_for_evidence()
    {
        var agent = await Fixture.UserAsync("agent", "billing");

        var (opened, _, _) = await OpenDataFeeCaseAsync();

        Assert.Matches(new Regex(@"^DF-2026-\d{6}$"), opened.Number);
        Assert.Equal("collecting-evidence", opened.State);
        Assert.Equal(agent, opened.AssigneeId);
        Assert.Equal(["business-licence", "settlement-statement", "transaction-records"],
            (await Fixture.QueryAsync<string>("SELECT type FROM evidence_items WHERE case_id = @Id AND status = 'requested'", opened)).Order());
        Assert.Equal(1, await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM case_contracts WHERE case_id = @Id", opened));
        Assert.NotEmpty(await Fixture.QueryAsync<string>("SELECT trigger_name FROM follow_ups WHERE case_id = @Id AND status = 'pending' AND kind = 'fire'", opened));
        var message = await Fixture.ScalarAsync<string>("SELECT body FROM outbox_messages WHERE case_id = @Id AND recipient = 'merchant' ORDER BY created_at DESC LIMIT 1", opened);
        Assert.Contains(opened.Number, message, StringComparison.Ordinal);
        var sequence = await SequenceAsync(opened.Id);
        Assert.Equal(Enumerable.Range(1, sequence.Count).Select(i => (long)i), sequence);
    }

    [Fact]
    public async Task A_merchant_without_a_contract_leaves_the_case_gathering_the_contract()
    {
        var (opened, _, _) = await OpenDataFeeCaseAsync(withContract: false);

        Assert.Equal("gathering-contract", opened.State);
        Assert.Equal(1, await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM case_events WHERE case_id = @Id AND kind = 'contract-missing'", opened));
    }

    [Fact]
    public async Task Case_numbers_count_up_per_type_and_year()
    {
        var first = (await OpenDataFeeCaseAsync()).Case.Number;
        var second = (await OpenDataFeeCaseAsync()).Case.Number;
        Assert.Equal(int.Parse(first[^6..], System.Globalization.CultureInfo.InvariantCulture) + 1,
            int.Parse(second[^6..], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Opening_for_an_unknown_merchant_is_not_found()
    {
        var error = await Assert.ThrowsAsync<NotFoundException>(() => Fixture.SendAsync(new OpenCase.Command(
            "data-fee-cancellation", Guid.NewGuid(), "x", Caller.Agent(Guid.NewGuid()), ClaimAmountFen: 100, ClaimChargedOn: new DateOnly(2026, 1, 1))));
        Assert.Equal("Merchant", error.What);
    }

    [Fact]
    public async Task A_bad_open_request_reports_every_field_at_once_and_writes_nothing()
    {
        var merchant = await Fixture.MerchantAsync();
        var before = await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM cases");

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => Fixture.SendAsync(new OpenCase.Command(
            "data-fee-cancellation", merchant.MerchantId, "", Caller.Agent(Guid.NewGuid()), Priority: "asap")));

        Assert.Equal(["ClaimAmountFen", "ClaimChargedOn", "Description", "Priority"], error.Errors.Keys.Order());
        Assert.Equal(before, await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM cases"));
    }

    [Fact]
    public async Task A_fee_rate_case_must_state_the_rate_charged_and_the_amount_overcharged()
    {
        var merchant = await Fixture.MerchantAsync();

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => Fixture.SendAsync(new OpenCase.Command(
            "fee-rate-dispute", merchant.MerchantId, "费率不对", Caller.Agent(Guid.NewGuid()))));

        Assert.Equal(["ClaimAmountFen", "ClaimChargedRateBp"], error.Errors.Keys.Order());
        Assert.Contains("overcharged", Assert.Single(error.Errors["ClaimAmountFen"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_blocked_trigger_is_refused_with_the_workflows_reasons()
    {
        var (opened, _, _) = await OpenDataFeeCaseAsync();

        var error = await Assert.ThrowsAsync<TransitionNotAllowedException>(() => Fixture.SendAsync(
            new FireTrigger.Command(opened.Id, "evidence-complete", NoInputs, Caller.Agent(Guid.NewGuid()))));

        var reason = Assert.Single(error.Reasons);
        Assert.Equal("evidence.complete", reason.Code);
        Assert.Equal("仍有所需证据材料缺失或未通过审核", reason.Text.ZhCn);
    }

    [Fact]
    public async Task A_stale_version_is_a_conflict_and_changes_nothing()
    {
        var (opened, _, _) = await OpenDataFeeCaseAsync();
        var events = (await SequenceAsync(opened.Id)).Count;

        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Fixture.SendAsync(new FireTrigger.Command(
            opened.Id, "escalate", new Dictionary<string, string> { ["reason"] = "merchant threatens a complaint" }, Caller.Agent(Guid.NewGuid()),
            ExpectedVersion: opened.Version - 1)));

        Assert.Equal(opened.Version, conflict.CurrentVersion);
        Assert.Equal(events, (await SequenceAsync(opened.Id)).Count);
    }

    [Fact]
    public async Task A_step_without_a_version_waits_for_a_concurrent_note_instead_of_conflicting_with_it()
    {
        var (opened, _, _) = await OpenDataFeeCaseAsync();
        var agent = Caller.Agent(Guid.NewGuid());
        var escalated = await SentWhileANoteIsUncommittedAsync(opened.Id, agent, () => Fixture.SendAsync(new FireTrigger.Command(opened.Id, "escalate",
            new Dictionary<string, string> { ["reason"] = "complaint" }, agent)));
        Assert.Equal("escalated", escalated.State);
        Assert.Equal(opened.Version + 2, escalated.Version);
        await Fixture.AssertTimelineContiguousAsync(opened.Id);
    }

    [Fact]
    public async Task An_escalation_without_a_version_waits_for_a_concurrent_note_instead_of_conflicting_with_it()
    {
        var (opened, _, _) = await OpenDataFeeCaseAsync();
        var agent = Caller.Agent(Guid.NewGuid());
        await SentWhileANoteIsUncommittedAsync(opened.Id, agent, () => Fixture.SendAsync(new Escalate.Command(opened.Id, 1, "complaint to the regulator", agent)));
        var escalated = await Fixture.SendAsync(new GetCase.Query(opened.Id, agent));
        Assert.Equal("escalated", escalated.Case.State);
        Assert.Equal(opened.Version + 2, escalated.Case.Version);
        await Fixture.AssertTimelineContiguousAsync(opened.Id);
    }

    // A colleague's note is written and not yet committed when the step is sent; it commits 300 ms later.
    private async Task<T> SentWhileANoteIsUncommittedAsync<T>(Guid caseId, Caller colleague, Func<Task<T>> send)
    {
        Task<T> sent;
        await using (var scope = Fixture.Services.CreateAsyncScope())
        {
            var unit = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
            await unit.BeginAsync(guardEachCommand: true, CancellationToken.None);
            await scope.ServiceProvider.GetRequiredService<MediatR.IMediator>().Send(new AddNote.Command(caseId, "called the merchant", colleague));
            sent = Task.Run(send);
            await Task.Delay(300);
            await unit.CommitAsync(CancellationToken.None);
        }
        return await sent;
    }

    [Fact]
    public async Task Ten_concurrent_triggers_on_one_case_one_wins_the_rest_conflict_and_the_timeline_stays_contiguous()
    {
        var (opened, _, _) = await OpenDataFeeCaseAsync();
        var reason = new Dictionary<string, string> { ["reason"] = "complaint" };

        var attempts = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(async () =>
        {
            try
            {
                await Fixture.SendAsync(new FireTrigger.Command(opened.Id, "escalate", reason, Caller.Agent(Guid.NewGuid()), opened.Version));
                return "won";
            }
            catch (ConcurrencyConflictException)
            {
                return "conflict";
            }
        })));

        Assert.Equal(1, attempts.Count(a => a == "won"));
        Assert.Equal(9, attempts.Count(a => a == "conflict"));
        var sequence = await SequenceAsync(opened.Id);
        Assert.Equal(Enumerable.Range(1, sequence.Count).Select(i => (long)i), sequence);
        Assert.Equal("escalated", await Fixture.ScalarAsync<string>("SELECT state FROM cases WHERE id = @Id", opened));
    }

    [Fact]
    public async Task Concurrent_changes_that_ask_for_no_version_all_land_and_the_timeline_stays_contiguous()
    {
        var (opened, _, _) = await OpenDataFeeCaseAsync();
        var agent = Caller.Agent(Guid.NewGuid());

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() =>
            Fixture.SendAsync(new AddNote.Command(opened.Id, $"note {i}", agent)))));

        Assert.Equal(Enumerable.Range(1, 10).Select(i => opened.Version + i), results.Select(r => r.Version).Order());
        Assert.Equal(10, await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM case_events WHERE case_id = @Id AND kind = 'note'", opened));
        var sequence = await SequenceAsync(opened.Id);
        Assert.Equal(Enumerable.Range(1, sequence.Count).Select(i => (long)i), sequence);
    }

    [Fact]
    public async Task A_transition_that_asks_for_no_version_lands_while_notes_are_written_to_the_case_at_the_same_time()
    {
        var agent = Caller.Agent(Guid.NewGuid());
        var reason = new Dictionary<string, string> { ["reason"] = "complaint" };

        for (var round = 0; round < 3; round++)
        {
            var (opened, _, _) = await OpenDataFeeCaseAsync();
            var notes = Enumerable.Range(0, 6).Select(i => Task.Run(() => Fixture.SendAsync(new AddNote.Command(opened.Id, $"note {i}", agent)))).ToList();
            // The case is read while the notes keep moving its version: the escalation waits its turn, it is not refused.
            var escalated = await Task.Run(() => Fixture.SendAsync(new FireTrigger.Command(opened.Id, "escalate", reason, agent)));
            await Task.WhenAll(notes);

            Assert.Equal("escalated", escalated.State);
            Assert.Equal(opened.Version + 7, await Fixture.ScalarAsync<long>("SELECT version FROM cases WHERE id = @Id", opened));
            Assert.Equal(6, await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM case_events WHERE case_id = @Id AND kind = 'note'", opened));
            var sequence = await SequenceAsync(opened.Id);
            Assert.Equal(Enumerable.Range(1, sequence.Count).Select(i => (long)i), sequence);
        }
    }

    [Fact]
    public async Task Assessing_a_contract_without_a_data_fee_clause_refunds_the_amount_charged_in_full()
    {
        var (opened, _, channel) = await OpenDataFeeCaseAsync(dataFeeClause: false);
        await Fixture.WithConnectionAsync(c => Dapper.SqlMapper.ExecuteAsync(c, "UPDATE evidence_items SET status = 'accepted' WHERE case_id = @Id", opened));
        var agent = Caller.Agent(Guid.NewGuid());

        await Fixture.SendAsync(new FireTrigger.Command(opened.Id, "evidence-complete", NoInputs, agent));
        var assessed = await Fixture.SendAsync(new FireTrigger.Command(opened.Id, "assess", NoInputs, agent));

        Assert.Equal(("resolved-refund", "refunded"), (assessed.State, assessed.Outcome));
        Assert.Contains("¥99.00", await Fixture.ScalarAsync<string>("SELECT body FROM outbox_messages WHERE case_id = @Id AND recipient = 'finance'", opened),
            StringComparison.Ordinal);
        Assert.Equal(0, await Fixture.ScalarAsync<long>(
            "SELECT COUNT(*) FROM follow_ups WHERE case_id = @Id AND status = 'pending' AND state = 'collecting-evidence'", opened));
        var view = await Fixture.SendAsync(new GetCase.Query(opened.Id, channel));
        Assert.Equal("流量费已全额退还", view.OutcomeTitle?.ZhCn);
    }

    [Fact]
    public async Task The_case_page_shows_allowed_actions_with_reasons_and_a_masked_phone()
    {
        var (opened, _, _) = await OpenDataFeeCaseAsync();

        var view = await Fixture.SendAsync(new GetCase.Query(opened.Id, Caller.Agent(Guid.NewGuid())));

        Assert.Equal("138****5678", view.Merchant.MaskedPhone);
        Assert.Equal("collecting-evidence", view.Case.State);
        var complete = view.AllowedActions.Single(a => a.Trigger == "evidence-complete");
        Assert.False(complete.Allowed);
        Assert.Equal("evidence.complete", Assert.Single(complete.Reasons).Code);
        Assert.True(view.AllowedActions.Single(a => a.Trigger == "escalate").Allowed);
        Assert.Equal(3, view.Evidence.Count(e => e.RequiredNow));
        Assert.NotNull(view.Contract);
        Assert.NotEmpty(view.PendingFollowUps);
    }

    [Fact]
    public async Task A_channel_cannot_see_a_case_another_channel_opened()
    {
        var (opened, _, _) = await OpenDataFeeCaseAsync();

        await Assert.ThrowsAsync<NotFoundException>(() => Fixture.SendAsync(new GetCase.Query(opened.Id, Caller.Channel(Guid.NewGuid()))));
        await Assert.ThrowsAsync<NotFoundException>(() => Fixture.SendAsync(
            new FireTrigger.Command(opened.Id, "withdraw", NoInputs, Caller.Channel(Guid.NewGuid()))));
    }

    [Fact]
    public async Task Logs_name_requests_but_never_carry_the_merchants_phone_or_description()
    {
        await OpenDataFeeCaseAsync();

        Assert.Contains(Fixture.Logs.Lines, l => l.Contains("OpenCase.Command", StringComparison.Ordinal));
        Assert.DoesNotContain(Fixture.Logs.Lines, l => l.Contains("13812345678", StringComparison.Ordinal) || l.Contains("流量费被扣了", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Publishing_a_changed_definition_under_the_same_version_is_refused_naming_the_file()
    {
        var definition = RandomCasesCatalog.DataFee;
        var changed = WorkflowLoader.Load([(definition.SourceFile, System.Text.Encoding.UTF8.GetBytes(definition.Json.Replace("流量费取消/退费", "流量费退费", StringComparison.Ordinal)))]);
        Assert.True(changed.Succeeded, string.Join('\n', changed.Errors));

        var error = await Assert.ThrowsAsync<WorkflowChangedException>(() =>
            WorkflowPublication.PublishAsync(Fixture.Database, changed.Catalog, Fixture.Clock, CancellationToken.None));

        Assert.StartsWith("data-fee-cancellation.v1.json: workflow 'data-fee-cancellation' version 1 was published with other content", Assert.Single(error.Problems),
            StringComparison.Ordinal);
    }
}

internal static class RandomCasesCatalog
{
    public static WorkflowDefinition DataFee => Workflows.RandomCases.ShippedWorkflows.Get("data-fee-cancellation", 1);
}

public sealed class CaseLifecycleOnSqlite(SqliteSliceFixture fixture) : CaseLifecycleTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class CaseLifecycleOnPostgres(PostgresSliceFixture fixture) : CaseLifecycleTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
