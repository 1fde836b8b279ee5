using PosSupport.Core.Cases;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Reports;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.Slices;

// One report test per class: the report reads every case of the class's own database.
public abstract class ReportTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;

    [Fact]
    public async Task The_report_counts_the_backlog_by_age_outcomes_refunds_and_time_to_resolution()
    {
        var agent = Caller.Agent(Guid.NewGuid());
        var supervisor = Caller.Supervisor(Guid.NewGuid());
        var start = Fixture.Clock.GetUtcNow();

        // Refunded: no data-fee clause, so the assessment refunds the 99 CNY charged.
        var noClause = await Fixture.MerchantAsync(dataFeeClause: false);
        var refunded = await Fixture.SendAsync(new OpenCase.Command("data-fee-cancellation", noClause.MerchantId, "合同里没有流量费", agent,
            ClaimAmountFen: 9_900, ClaimChargedOn: new DateOnly(2026, 11, 1)));
        await Fixture.AcceptAllEvidenceAsync(refunded.Id);
        await Fixture.FireAsync(refunded.Id, "evidence-complete", agent);
        Fixture.Clock.Advance(TimeSpan.FromHours(10));
        Assert.Equal("refunded", (await Fixture.FireAsync(refunded.Id, "assess", agent)).Outcome);

        // Withdrawn straight from an open state: closed with its outcome.
        var withdrawn = await Fixture.OpenDataFeeAsync((await Fixture.MerchantAsync()).MerchantId, agent);
        await Fixture.FireAsync(withdrawn.Id, "withdraw", agent);

        // Open: one new, one two days old.
        var old = await Fixture.OpenDataFeeAsync((await Fixture.MerchantAsync()).MerchantId, agent);
        Fixture.Clock.Advance(TimeSpan.FromDays(2));
        var fresh = await Fixture.OpenDataFeeAsync((await Fixture.MerchantAsync()).MerchantId, agent);
        Assert.Equal(old.State, fresh.State);

        var report = await Fixture.SendAsync(new GetReport.Query(start.AddDays(-1), Fixture.Clock.GetUtcNow().AddDays(1), supervisor));

        var backlog = Assert.Single(report.Backlog);
        Assert.Equal(("data-fee-cancellation", fresh.State), (backlog.Type, backlog.State));
        Assert.Equal([1, 1, 0, 0], backlog.Ages);
        Assert.Equal("Data-fee cancellation or refund", backlog.TypeTitle.En);

        Assert.Equal([("refunded", 1), ("withdrawn", 1)], report.Outcomes.Select(o => (o.Outcome, o.Cases)).Order());
        Assert.Equal(new GetReport.MoneyRow("refund-instructed", 1, 9_900), Assert.Single(report.Money));
        var resolution = Assert.Single(report.Resolution);
        Assert.Equal(2, resolution.Resolved);
        Assert.Equal(TimeSpan.FromHours(5), resolution.MeanTimeToResolution);

        var before = await Fixture.SendAsync(new GetReport.Query(start.AddDays(-10), start.AddDays(-1), supervisor));
        Assert.Empty(before.Outcomes);
        Assert.Empty(before.Money);
    }

    [Fact]
    public async Task A_period_that_ends_before_it_starts_is_refused_and_channels_see_no_report()
    {
        var now = Fixture.Clock.GetUtcNow();
        var invalid = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            Fixture.SendAsync(new GetReport.Query(now, now.AddDays(-1), Caller.Supervisor(Guid.NewGuid()))));
        Assert.Contains("To", invalid.Errors.Keys);
        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new GetReport.Query(now.AddDays(-1), now, Caller.Channel(Guid.NewGuid()))));
    }
}

public sealed class ReportOnSqlite(SqliteSliceFixture fixture) : ReportTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class ReportOnPostgres(PostgresSliceFixture fixture) : ReportTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
