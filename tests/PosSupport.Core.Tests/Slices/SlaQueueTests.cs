using PosSupport.Core.Cases;
using PosSupport.Core.Data;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.FollowUps;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.Slices;

/// <summary>
/// The queues "SLA at risk" and "Breached", with cases made to warn and breach by the real follow-up jobs on the fake clock
/// (as in FollowUpTests). A class of its own: running the due follow-ups touches every case of the database.
/// </summary>
public abstract class SlaQueueTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;

    private static readonly Caller Agent = Caller.Agent(Guid.NewGuid());

    private async Task<(string Name, Guid CaseId, DateTimeOffset WarnAt, DateTimeOffset DueAt)> DeviceCaseAsync()
    {
        var name = TestDataQueries.Unique("时效");
        var merchant = await Fixture.NamedMerchantAsync(name);
        var opened = await Fixture.SendAsync(new OpenCase.Command("device-replacement", merchant.MerchantId, "刷卡一直提示交易失败", await Fixture.ChannelAsync(),
            DeviceSerial: merchant.DeviceSerial));
        var openedAt = Fixture.Clock.GetUtcNow();
        // The device workflow's first response for normal priority: 4 working hours, warned at 80 %.
        return (name, opened.Id, China2026.Calendar.AddBusinessTime(openedAt, TimeSpan.FromHours(3.2)),
            China2026.Calendar.AddBusinessTime(openedAt, TimeSpan.FromHours(4)));
    }

    private async Task<IReadOnlyList<Guid>> ListedAsync(string search, bool atRisk = false, bool breached = false, bool openOnly = true) =>
        (await Fixture.SendAsync(new QueueQuery.Query(Agent, Search: search, SlaAtRisk: atRisk, SlaBreached: breached, OpenOnly: openOnly)))
        .Rows.Select(r => r.Id).ToList();

    [Fact]
    public async Task A_warned_case_is_at_risk_until_its_breach_moves_it_to_breached_and_the_counts_follow()
    {
        var (name, caseId, warnAt, dueAt) = await DeviceCaseAsync();
        var before = (await Fixture.SendAsync(new QueueQuery.Query(Agent))).Counts!;
        Assert.Empty(await ListedAsync(name, atRisk: true));

        Fixture.Clock.SetUtcNow(warnAt);
        await Fixture.RunDueFollowUpsAsync();
        var (quietName, quietId, _, _) = await DeviceCaseAsync();

        Assert.Equal([caseId], await ListedAsync(name, atRisk: true));
        Assert.Empty(await ListedAsync(name, breached: true));
        Assert.Empty(await ListedAsync(quietName, atRisk: true));
        Assert.Equal([quietId], await ListedAsync(quietName));
        var warned = (await Fixture.SendAsync(new QueueQuery.Query(Agent))).Counts!;
        Assert.Equal((before.SlaAtRisk + 1, before.SlaBreached), (warned.SlaAtRisk, warned.SlaBreached));

        Fixture.Clock.SetUtcNow(dueAt);
        await Fixture.RunDueFollowUpsAsync();

        Assert.Equal([caseId], await ListedAsync(name, breached: true));
        Assert.Empty(await ListedAsync(name, atRisk: true));
        var breached = (await Fixture.SendAsync(new QueueQuery.Query(Agent))).Counts!;
        Assert.Equal(warned.SlaBreached + 1, breached.SlaBreached);
        Assert.Equal(warned.SlaAtRisk - 1, breached.SlaAtRisk);
    }

    [Fact]
    public async Task A_breached_case_leaves_the_breached_queue_when_it_is_closed()
    {
        var (name, caseId, warnAt, dueAt) = await DeviceCaseAsync();
        Fixture.Clock.SetUtcNow(warnAt);
        await Fixture.RunDueFollowUpsAsync();
        Fixture.Clock.SetUtcNow(dueAt);
        await Fixture.RunDueFollowUpsAsync();
        Assert.Equal([caseId], await ListedAsync(name, breached: true));
        var open = (await Fixture.SendAsync(new QueueQuery.Query(Agent))).Counts!.SlaBreached;

        await Fixture.SendAsync(new FireTrigger.Command(caseId, "withdraw", new Dictionary<string, string>(), Agent));

        Assert.Empty(await ListedAsync(name, breached: true));
        Assert.Empty(await ListedAsync(name, breached: true, openOnly: false));
        Assert.Equal([caseId], await ListedAsync(name, openOnly: false));
        Assert.Equal(open - 1, (await Fixture.SendAsync(new QueueQuery.Query(Agent))).Counts!.SlaBreached);
    }

    [Theory]
    [InlineData(false, "ix_case_events_sla_warning")]
    [InlineData(true, "ix_case_events_sla_breached")]
    public async Task The_sla_queues_walk_the_open_cases_in_queue_order_and_ask_the_event_index(bool breached, string eventIndex)
    {
        var (sql, parameters) = QueueQuery.PageSql(new QueueQuery.Query(Agent, SlaAtRisk: !breached, SlaBreached: breached), Fixture.Provider);

        var text = await QueuePlans.PlanAsync(Fixture, sql, parameters,
            "SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off;");

        Assert.Matches(@"\bix_cases_open_recent\b", text);
        Assert.Contains(eventIndex, text, StringComparison.Ordinal);
        Assert.DoesNotMatch("(?m)^SCAN c$|Seq Scan on cases|Seq Scan on case_events", text);
        Assert.DoesNotContain("TEMP B-TREE", text, StringComparison.Ordinal);
    }
}

/// <summary>The query plan's text for a provider (shared by the queue tests).</summary>
internal static class QueuePlans
{
    // PostgreSQL plans a tiny test table however it likes: the settings forbid the alternatives (in this transaction only),
    // so the plan shows whether the index path exists.
    public static Task<string> PlanAsync(SliceFixture fixture, string sql, object parameters, string postgresSettings) =>
        fixture.WithConnectionAsync(async connection =>
        {
            if (fixture.Provider == DatabaseProvider.Sqlite)
                return string.Join("\n", (await Dapper.SqlMapper.QueryAsync<(long, long, long, string Detail)>(connection, "EXPLAIN QUERY PLAN " + sql, parameters))
                    .Select(r => r.Detail));
            await using var transaction = await connection.BeginTransactionAsync();
            await Dapper.SqlMapper.ExecuteAsync(connection, postgresSettings + " SET LOCAL jit = off;", transaction: transaction);
            return string.Join("\n", await Dapper.SqlMapper.QueryAsync<string>(connection, "EXPLAIN " + sql, parameters, transaction));
        });
}

public sealed class SlaQueueOnSqlite(SqliteSliceFixture fixture) : SlaQueueTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class SlaQueueOnPostgres(PostgresSliceFixture fixture) : SlaQueueTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
