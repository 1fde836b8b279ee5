using PosSupport.Testing;

namespace PosSupport.Benchmarks;

/// <summary>
/// <c>conflicts [--provider sqlite|postgres] [--commands N]</c>: N parallel conflicting commands on one case (same If-Match
/// version; then competing transitions), and the idempotency storm (one key replayed 100 times, 50 at once).
/// </summary>
public static class Conflicts
{
    public static async Task<int> RunAsync(string[] args)
    {
        var provider = FaultModes.Text(args, "--provider", "sqlite");
        var commands = (int)FaultModes.Number(args, "--commands", 50);
        using var environment = await FaultEnvironment.CreateAsync(provider, TimeSpan.FromHours(1));
        var key = await environment.CreateKeyAsync("conflicts-crm", "agent");
        await using var host = await environment.StartAsync();
        FaultModes.Log($"host pid {host.ProcessId} on port {host.Port} ({provider}); {commands} parallel commands per round");
        var conflicts = await ConflictScenario.RunAsync(environment, host.BaseAddress, key, commands);
        var storms = await IdempotencyStorm.RunAsync(environment, host.BaseAddress, key);

        Console.WriteLine();
        Console.WriteLine($"conflicts: {provider}, {commands} parallel commands on one case per round");
        Console.WriteLine("| round | wins | 409/412 conflicts | refusals by status | problems |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var round in conflicts.Rounds)
            Console.WriteLine($"| {round.Name} | {round.Wins} | {round.Conflicts} | {string.Join(", ", round.Refusals.OrderBy(r => r.Key).Select(r => $"{r.Key}×{r.Value}"))} | {round.Problems.Count} |");
        Console.WriteLine();
        Console.WriteLine("| idempotency storm | sends | replayed | in-flight retries | distinct answers | effects | other body | problems |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var (name, storm) in storms)
            Console.WriteLine($"| {name} | {storm.Sends} | {storm.Replayed} | {storm.InFlightRetries} | {storm.DistinctAnswers} | {storm.Effects} | {storm.ReusedKey} | {storm.Problems.Count} |");
        var problems = conflicts.Problems.Concat(storms.SelectMany(s => s.Report.Problems.Select(p => $"storm {s.Name}: {p}"))).ToList();
        FaultModes.PrintProblems(problems);
        Console.WriteLine();
        var sameVersion = conflicts.Rounds[0];
        var competing = conflicts.Rounds[1];
        Console.WriteLine(FaultModes.Pairs(("mode", "conflicts"), ("provider", provider), ("commands", commands),
            ("same_version_wins", sameVersion.Wins), ("same_version_conflicts", sameVersion.Conflicts),
            ("competing_wins", competing.Wins), ("competing_refused", commands - competing.Wins),
            ("server_errors", conflicts.Rounds.Sum(r => r.Refusals.Where(x => x.Key.StartsWith('5')).Sum(x => x.Value))),
            ("storm_effects", storms.Sum(s => s.Report.Effects)), ("problems", problems.Count), ("passed", problems.Count == 0 ? 1 : 0)));
        return problems.Count == 0 ? 0 : 1;
    }
}
