using System.Collections.Concurrent;
using System.Globalization;

namespace PosSupport.Testing;

/// <summary>One round of racing commands on one case: who won, how the others were refused, and what the timeline says.</summary>
public sealed record ConflictRound(
    string Name,
    Guid CaseId,
    int Wins,
    IReadOnlyDictionary<string, int> Refusals,
    IReadOnlyList<string> Problems)
{
    public int Conflicts => Refusals.Where(r => r.Key is "409" or "412").Sum(r => r.Value);
}

public sealed record ConflictReport(IReadOnlyList<ConflictRound> Rounds)
{
    public bool Passed => Rounds.Count > 0 && Rounds.All(r => r.Problems.Count == 0);

    public IEnumerable<string> Problems => Rounds.SelectMany(r => r.Problems.Select(p => $"{r.Name}: {p}"));
}

/// <summary>
/// Parallel conflicting commands on one case. Round "same-version": N commands (escalate, withdraw, note, message) all
/// stating the same <c>If-Match</c> version: exactly one may win, the others get 409 or 412. Round "competing-transitions":
/// N transitions without <c>If-Match</c> (escalate, withdraw, and evidence-complete and assess, which the case's state
/// never allows): each win must be a legal step from where the case then was, the guarded ones never win, the rest are
/// refused with 409, 412 or 422. Never a 5xx; the timeline stays contiguous; wins and transition events agree.
/// </summary>
public static class ConflictScenario
{
    private static readonly string[] NeverAllowed = ["evidence-complete", "assess"];

    public static async Task<ConflictReport> RunAsync(FaultEnvironment environment, Uri baseAddress, string agentKey, int commands = 50,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var rules = WorkflowRules.Load(environment.WorkflowsDirectory);
        var merchants = await environment.MerchantsWithContractsAsync().ConfigureAwait(false);
        using var api = new FaultApi(baseAddress, agentKey);
        var rounds = new List<ConflictRound>
        {
            await RoundAsync("same-version", api, environment, rules, merchants[0], commands, sameVersion: true, cancellationToken).ConfigureAwait(false),
            await RoundAsync("competing-transitions", api, environment, rules, merchants[^1], commands, sameVersion: false, cancellationToken).ConfigureAwait(false),
        };
        return new ConflictReport(rounds);
    }

    private static async Task<ConflictRound> RoundAsync(string name, FaultApi api, FaultEnvironment environment, WorkflowRules rules, Guid merchant,
        int commands, bool sameVersion, CancellationToken cancellationToken)
    {
        var run = Guid.NewGuid().ToString("N");
        var opened = await api.PostAsync("cases", new
        {
            type = "data-fee-cancellation", merchantId = merchant, description = "并发冲突演练 " + run, claimAmountFen = 9900, claimChargedOn = "2026-06-01",
        }, run + "-open", cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!opened.IsSuccess) throw new InvalidOperationException($"Opening the case of round {name} failed: {opened} {opened.Body}");
        var caseId = opened.GuidOf("id");
        var path = $"cases/{caseId:D}";
        var version = (await api.GetAsync(path, cancellationToken).ConfigureAwait(false)).LongOf("version");

        var answers = new ConcurrentBag<(string Command, string Token, ApiAnswer Answer)>();
        using var start = new ManualResetEventSlim();
        var racers = Enumerable.Range(0, commands).Select(i => Task.Run(async () =>
        {
            var token = string.Create(CultureInfo.InvariantCulture, $"{run}-{i}");
            var ifMatch = sameVersion ? version : (long?)null;
            (string Command, string Route, object Body) racer = (sameVersion ? i % 4 : 4 + i % 4) switch
            {
                0 or 4 => ("escalate", path + "/actions/escalate", new { inputs = new { reason = token } }),
                1 or 5 => ("withdraw", path + "/actions/withdraw", new { inputs = new { reason = token } }),
                2 => ("note", path + "/notes", new { text = token }),
                3 => ("message", path + "/messages", new { text = token }),
                6 => ("evidence-complete", path + "/actions/evidence-complete", new { }),
                _ => ("assess", path + "/actions/assess", new { }),
            };
            start.Wait(cancellationToken);
            answers.Add((racer.Command, token, await api.PostAsync(racer.Route, racer.Body, token, ifMatch, cancellationToken).ConfigureAwait(false)));
        }, cancellationToken)).ToList();
        // Released together, so they really race for the case.
        await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        start.Set();
        await Task.WhenAll(racers).ConfigureAwait(false);

        StoreSnapshot store;
        await using (var connection = environment.OpenDatabase()) store = await StoreSnapshot.ReadAsync(connection).ConfigureAwait(false);
        var problems = new List<string>();
        var wins = answers.Where(a => a.Answer.IsSuccess).ToList();
        var refusals = answers.Where(a => !a.Answer.IsSuccess)
            .GroupBy(a => a.Answer.Status.ToString(CultureInfo.InvariantCulture)).ToDictionary(g => g.Key, g => g.Count());
        foreach (var bad in answers.Where(a => !a.Answer.IsSuccess && a.Answer.Status is not (409 or 412 or 422)))
            problems.Add($"{bad.Command} got {bad.Answer}: {bad.Answer.Body}");
        if (sameVersion && wins.Count != 1) problems.Add($"{wins.Count} commands won with the same If-Match version; exactly one may");
        if (!sameVersion && wins.Count == 0) problems.Add("no transition won");
        foreach (var win in wins.Where(w => NeverAllowed.Contains(w.Command)))
            problems.Add($"'{win.Command}' won although its guard cannot hold (no evidence accepted)");

        var timeline = store.TimelineOf(caseId);
        var raced = timeline.Where(e => Mentions(e, t => t.StartsWith(run + "-", StringComparison.Ordinal))).ToList();
        if (raced.Count != wins.Count)
            problems.Add($"{wins.Count} commands won but the timeline holds {raced.Count} events of this round");
        foreach (var win in wins.Where(w => !raced.Any(e => Mentions(e, t => t == w.Token))))
            problems.Add($"'{win.Command}' ({win.Token}) won but is not on the timeline");
        problems.AddRange(StoreAudit.HalfDone(store, new HashSet<Guid> { caseId }).Where(p => p.Contains(caseId.ToString(), StringComparison.Ordinal)));
        problems.AddRange(StoreAudit.IllegalTransitions(store, rules, [caseId]));
        return new ConflictRound(name, caseId, wins.Count, refusals, problems);
    }

    // The token is the note's or message's text, or the transition's reason.
    private static bool Mentions(StoreSnapshot.TimelineEvent e, Func<string, bool> token)
    {
        var text = e.Kind switch
        {
            "note" or "message" => e.Text("text"),
            "transition" => e.Data.TryGetProperty("inputs", out var inputs) && inputs.ValueKind == System.Text.Json.JsonValueKind.Object
                            && inputs.TryGetProperty("reason", out var reason) ? reason.GetString() : null,
            _ => null,
        };
        return text is not null && token(text);
    }
}
