using PosSupport.Testing;

namespace PosSupport.Benchmarks;

/// <summary><c>two-nodes [--clients N] [--seconds S]</c>: two hosts on one PostgreSQL; duplicates and losses must both be 0.</summary>
public static class TwoNodes
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = new TwoNodesOptions((int)FaultModes.Number(args, "--clients", 4), FaultModes.Number(args, "--seconds", 20));
        var report = await TwoNodesScenario.RunAsync(options, FaultModes.Log);

        Console.WriteLine();
        Console.WriteLine($"two-nodes: two hosts on one PostgreSQL 15, {options.Clients} channel+agent client pairs for {options.LoadSeconds:F0} s");
        Console.WriteLine("| figure | value | bar |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| commands / acknowledged | {report.Commands:N0} / {report.Acknowledged:N0} | |");
        Console.WriteLine($"| acknowledged but lost | {report.Lost.Count:N0} | 0 |");
        Console.WriteLine($"| half-done cases, orphan rows | {report.HalfDone.Count:N0} | 0 |");
        Console.WriteLine($"| answers other than 2xx | {report.Unexpected.Count:N0} | 0 |");
        Console.WriteLine($"| reminders fired during the run | {report.FollowUpsFired:N0} | |");
        Console.WriteLine($"| reminders not fired / fired twice | {report.FollowUpsMissing.Count:N0} / {report.FollowUpsDuplicated.Count:N0} | 0 / 0 |");
        Console.WriteLine($"| webhook events expected / requests received | {report.WebhooksExpected:N0} / {report.WebhooksReceived:N0} | equal |");
        Console.WriteLine($"| webhooks not delivered / delivered twice | {report.WebhooksMissing.Count:N0} / {report.WebhooksDuplicated.Count:N0} | 0 / 0 |");
        Console.WriteLine($"| duplicates / losses | {report.Duplicates:N0} / {report.Losses:N0} | 0 / 0 |");
        FaultModes.PrintProblems(report.Problems);
        Console.WriteLine();
        Console.WriteLine(FaultModes.Pairs(("mode", "two-nodes"), ("provider", "postgres"), ("clients", options.Clients), ("seconds", options.LoadSeconds),
            ("commands", report.Commands), ("acknowledged", report.Acknowledged), ("lost", report.Lost.Count), ("half_done", report.HalfDone.Count),
            ("unexpected", report.Unexpected.Count), ("followups_fired", report.FollowUpsFired), ("followups_missing", report.FollowUpsMissing.Count),
            ("followups_duplicated", report.FollowUpsDuplicated.Count), ("webhooks_expected", report.WebhooksExpected),
            ("webhooks_received", report.WebhooksReceived), ("webhooks_missing", report.WebhooksMissing.Count),
            ("webhooks_duplicated", report.WebhooksDuplicated.Count), ("duplicates", report.Duplicates), ("losses", report.Losses),
            ("passed", report.Passed ? 1 : 0)));
        return report.Passed ? 0 : 1;
    }
}
