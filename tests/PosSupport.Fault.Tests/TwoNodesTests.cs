using PosSupport.Testing;

namespace PosSupport.Fault.Tests;

[Collection(FaultHosts.Name)]
public sealed class TwoNodesTests
{
    [Fact]
    public async Task Two_nodes_on_one_postgres_neither_lose_nor_duplicate_commands_follow_ups_or_webhooks()
    {
        var report = await TwoNodesScenario.RunAsync(new TwoNodesOptions(Clients: 2, LoadSeconds: 6), cancellationToken: FaultHosts.Timeout());

        Assert.True(report.Passed, FaultHosts.Explain(report.Problems));
        Assert.Equal(0, report.Duplicates);
        Assert.Equal(0, report.Losses);
        Assert.True(report.FollowUpsFired > 0);
        Assert.True(report.WebhooksExpected > 0);
    }
}
