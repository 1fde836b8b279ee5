using PosSupport.Testing;

namespace PosSupport.Benchmarks;

/// <summary><c>crash --provider sqlite|postgres [--clients N] [--seconds S]</c>: kill -9 mid-load, restart, count what was lost.</summary>
public static class Crash
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = new CrashOptions(FaultModes.Text(args, "--provider", "sqlite"), (int)FaultModes.Number(args, "--clients", 4),
            FaultModes.Number(args, "--seconds", 10));
        var report = await CrashScenario.RunAsync(options, FaultModes.Log);

        Console.WriteLine();
        Console.WriteLine($"crash: {options.Provider}, {options.Clients} clients, kill -9 after {options.LoadSeconds:F0} s of load, restart on the same data");
        Console.WriteLine("| figure | value | bar |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| commands answered before the kill | {report.Commands:N0} | |");
        Console.WriteLine($"| acknowledged (2xx) | {report.Acknowledged:N0} | |");
        Console.WriteLine($"| in flight at the kill (no answer) | {report.Unanswered:N0} | either way |");
        Console.WriteLine($"| acknowledged but lost | {report.Lost.Count:N0} | 0 |");
        Console.WriteLine($"| half-done cases, orphan rows | {report.HalfDone.Count:N0} | 0 |");
        Console.WriteLine($"| answers other than 2xx | {report.Unexpected.Count:N0} | 0 |");
        Console.WriteLine($"| follow-ups pending at the kill / fired after restart | {report.FollowUpsPendingAtKill:N0} / {report.FollowUpsFired:N0} | all |");
        Console.WriteLine($"| follow-ups not fired / fired twice | {report.FollowUpsMissing.Count:N0} / {report.FollowUpsDuplicated.Count:N0} | 0 / 0 |");
        Console.WriteLine($"| restart to /health | {report.Restart.TotalSeconds:F1} s | |");
        Console.WriteLine($"| /health to the last pending follow-up fired | {report.FollowUpsSettled.TotalSeconds:F1} s | |");
        Console.WriteLine($"| unanswered requests sent again after the restart (same Idempotency-Key) / of them replayed | {report.Retried:N0} / {report.RetriesReplayed:N0} | |");
        Console.WriteLine($"| retries not 2xx, or whose effect is not in the database exactly once | {report.RetriesFailed.Count:N0} | 0 |");
        FaultModes.PrintProblems(report.Problems);
        foreach (var clue in report.Clues) Console.WriteLine(clue);
        Console.WriteLine();
        Console.WriteLine(FaultModes.Pairs(("mode", "crash"), ("provider", options.Provider), ("clients", options.Clients), ("seconds", options.LoadSeconds),
            ("commands", report.Commands), ("acknowledged", report.Acknowledged), ("unanswered", report.Unanswered), ("lost", report.Lost.Count),
            ("half_done", report.HalfDone.Count), ("unexpected", report.Unexpected.Count), ("followups_pending", report.FollowUpsPendingAtKill),
            ("followups_fired", report.FollowUpsFired), ("followups_missing", report.FollowUpsMissing.Count),
            ("followups_duplicated", report.FollowUpsDuplicated.Count), ("restart_s", Math.Round(report.Restart.TotalSeconds, 1)),
            ("followups_settled_s", Math.Round(report.FollowUpsSettled.TotalSeconds, 1)),
            ("retried", report.Retried), ("retries_replayed", report.RetriesReplayed), ("retries_failed", report.RetriesFailed.Count),
            ("passed", report.Passed ? 1 : 0)));
        return report.Passed ? 0 : 1;
    }
}
