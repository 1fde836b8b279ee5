using PosSupport.Core.Cases;
using PosSupport.Core.FollowUps;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.FollowUps;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.Slices;

/// <summary>
/// The queue's SLA column: each row's nearest breach, computed for the page's cases as the case page computes its clocks.
/// A class of its own: it moves the fake clock.
/// </summary>
public abstract class QueueSlaColumnTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;
    private static readonly Caller Agent = Caller.Agent(Guid.NewGuid());

    // A device case opened by the merchant's channel: in intake (active), nobody has answered it, so its first-response
    // clock (4 working hours at normal priority) is the nearest breach.
    private async Task<(Guid Id, string Number, DateTimeOffset OpenedAt)> DeviceCaseAsync()
    {
        var merchant = await Fixture.NamedMerchantAsync(TestDataQueries.Unique("时效列"));
        var opened = await Fixture.SendAsync(new OpenCase.Command("device-replacement", merchant.MerchantId, "屏幕不亮", await Fixture.ChannelAsync(),
            DeviceSerial: merchant.DeviceSerial));
        return (opened.Id, opened.Number, Fixture.Clock.GetUtcNow());
    }

    private async Task<QueueQuery.QueueRow> RowAsync(string number) =>
        Assert.Single((await Fixture.SendAsync(new QueueQuery.Query(Agent, Search: number, OpenOnly: false))).Rows);

    private async Task<SlaStatus> FirstResponseOnCasePageAsync(Guid id) =>
        Assert.Single((await Fixture.SendAsync(new GetCase.Query(id, Agent))).Sla, c => c.Clock == SlaClockKind.FirstResponse).Status;

    [Fact]
    public async Task A_row_shows_the_business_time_left_to_its_nearest_breach_then_at_risk_then_overdue_as_the_case_page_counts_it()
    {
        var (id, number, openedAt) = await DeviceCaseAsync();

        var fresh = (await RowAsync(number)).Sla;
        Fixture.Clock.SetUtcNow(China2026.Calendar.AddBusinessTime(openedAt, TimeSpan.FromHours(3.5)));
        var warned = (await RowAsync(number)).Sla;
        var warnedOnPage = await FirstResponseOnCasePageAsync(id);
        Fixture.Clock.SetUtcNow(China2026.Calendar.AddBusinessTime(openedAt, TimeSpan.FromHours(5.25)));
        var overdue = (await RowAsync(number)).Sla;
        var overdueOnPage = await FirstResponseOnCasePageAsync(id);

        Assert.Equal(new SlaSummary(SlaRisk.Normal, TimeSpan.FromHours(4)), fresh);
        Assert.Equal(new SlaSummary(SlaRisk.AtRisk, TimeSpan.FromMinutes(30)), warned);
        Assert.Equal(warnedOnPage.Remaining, warned!.Left);
        Assert.Equal(new SlaSummary(SlaRisk.Breached, TimeSpan.FromMinutes(75)), overdue);
        Assert.Equal(overdueOnPage.Elapsed - overdueOnPage.Target, overdue!.Left);
    }

    [Fact]
    public async Task A_case_waiting_on_the_merchant_or_closed_shows_no_clock()
    {
        var (waitingId, waitingNumber, _) = await DeviceCaseAsync();
        var (closedId, closedNumber, _) = await DeviceCaseAsync();

        await Fixture.FireAsync(waitingId, "start-troubleshooting", Agent);
        await Fixture.FireAsync(closedId, "withdraw", Agent);

        Assert.Equal(("remote-troubleshooting", null), ((await RowAsync(waitingNumber)).State, (await RowAsync(waitingNumber)).Sla));
        Assert.Equal(("closed", null), ((await RowAsync(closedNumber)).State, (await RowAsync(closedNumber)).Sla));
    }
}

public sealed class QueueSlaColumnOnSqlite(SqliteSliceFixture fixture) : QueueSlaColumnTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class QueueSlaColumnOnPostgres(PostgresSliceFixture fixture) : QueueSlaColumnTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
