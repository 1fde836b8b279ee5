using PosSupport.Testing;

namespace PosSupport.Fault.Tests;

/// <summary>The real host under load, killed with SIGKILL, started again on the same data.</summary>
public abstract class CrashTests(string provider)
{
    [Fact]
    public async Task Every_acknowledged_command_survives_kill_9_every_pending_follow_up_fires_once_and_every_unanswered_request_retried_takes_effect_once()
    {
        var report = await CrashScenario.RunAsync(new CrashOptions(provider, Clients: 3, LoadSeconds: 3), cancellationToken: FaultHosts.Timeout());

        Assert.True(report.Acknowledged > 0, "no command was acknowledged before the kill");
        Assert.True(report.FollowUpsPendingAtKill > 0, "no reminder was pending at the kill, so the restart proved nothing about follow-ups");
        Assert.True(report.Lost.Count == 0, $"lost={report.Lost.Count}:{System.Environment.NewLine}{FaultHosts.Explain(report.Lost)}");
        Assert.True(report.HalfDone.Count == 0, FaultHosts.Explain(report.HalfDone));
        Assert.True(report.Unexpected.Count == 0, FaultHosts.Explain(report.Unexpected));
        Assert.True(report.FollowUpsMissing.Count == 0, FaultHosts.Explain(report.FollowUpsMissing) + System.Environment.NewLine
            + string.Join(System.Environment.NewLine, report.Clues));
        Assert.True(report.FollowUpsDuplicated.Count == 0, FaultHosts.Explain(report.FollowUpsDuplicated));
        Assert.Equal(report.FollowUpsPendingAtKill, report.FollowUpsFired);
        // The clients' requests in flight at the kill, sent again with their Idempotency-Key after the restart.
        Assert.True(report.Retried > 0, "no request was in flight at the kill, so the retry proved nothing");
        Assert.True(report.RetriesFailed.Count == 0, FaultHosts.Explain(report.RetriesFailed));
    }
}

[Collection(FaultHosts.Name)]
public sealed class CrashOnSqlite() : CrashTests("sqlite");

[Collection(FaultHosts.Name)]
public sealed class CrashOnPostgres() : CrashTests("postgres");
