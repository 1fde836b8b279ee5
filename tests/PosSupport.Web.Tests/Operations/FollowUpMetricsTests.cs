using Dapper;
using Hangfire;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using PosSupport.Core.Cases;
using PosSupport.Core.Data;
using PosSupport.Core.Pipeline;
using PosSupport.Web.FollowUps;

namespace PosSupport.Web.Tests.Operations;

// With the follow-up clock tests: one Hangfire server at a time in this process (see FollowUpClockGroup).
[Collection(FollowUpClockGroup.Name)]
public sealed class FollowUpMetricsTests
{
    [Fact]
    public async Task A_follow_up_fired_by_the_clock_shows_in_metrics_with_its_lateness()
    {
        using var data = TemporaryDirectory.Create();
        await using var host = ApiHost.On(data.Path, new Dictionary<string, string> { ["PosSupport:SeedDemoData"] = "false" });
        var (caseId, state) = await OpenDataFeeCaseAsync(host);
        // A reminder that fell due three seconds ago and that no job wakes: the sweep arms it and it fires at once, late.
        var overdue = Guid.CreateVersion7();
        var due = DateTimeOffset.UtcNow.AddSeconds(-3);
        await using (var connection = await host.Services.GetRequiredService<CaseDatabase>().OpenAsync(CancellationToken.None))
            await connection.ExecuteAsync("""
                INSERT INTO follow_ups (id, case_id, state, follow_up_key, kind, template, due_at, repeats_left, status, created_at)
                VALUES (@overdue, @caseId, @state, 'overdue', 'remind', 'evidence-missing', @due, 0, 'pending', @due)
                """, new { overdue, caseId, state, due });

        host.Services.GetRequiredService<IRecurringJobManager>().Trigger(FollowUpClock.SweepJobId);
        var text = await Scrape.UntilAsync(host.Client, t => Scrape.Sum(t, "possupport_followup_lateness_seconds_count", ("kind", "remind")) >= 1);

        Assert.True(Scrape.Sum(text, "possupport_followups_fired_total", ("kind", "remind"), ("outcome", "reminded")) >= 1, text);
        Assert.True(Scrape.Sum(text, "possupport_followup_lateness_seconds_count", ("kind", "remind")) >= 1, text);
        // Three seconds late at least: nothing lands in the buckets below 2 s from this reminder alone.
        Assert.True(Scrape.Sum(text, "possupport_followup_lateness_seconds_sum", ("kind", "remind")) >= 3, text);
    }

    private static async Task<(Guid Id, string State)> OpenDataFeeCaseAsync(ApiHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var merchant = Guid.NewGuid();
        await using (var connection = await scope.ServiceProvider.GetRequiredService<CaseDatabase>().OpenAsync(CancellationToken.None))
            await connection.ExecuteAsync("""
                INSERT INTO merchants (id, name, licence_number, mcc, category, phone, created_at)
                VALUES (@merchant, '测试商户', '91110000MA01METR1X', '5411', 'supermarket', '13900000000', @now)
                """, new { merchant, now = DateTimeOffset.UtcNow });
        var opened = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new OpenCase.Command(
            "data-fee-cancellation", merchant, "流量费被扣了99元", Caller.Agent(Guid.NewGuid()), ClaimAmountFen: 9_900, ClaimChargedOn: new DateOnly(2026, 11, 1)));
        return (opened.Id, opened.State);
    }
}
