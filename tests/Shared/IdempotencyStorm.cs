using System.Collections.Concurrent;

namespace PosSupport.Testing;

/// <summary>What one storm saw: how many sends, how many distinct final answers, how many effects, and what went wrong.</summary>
public sealed record StormReport(int Sends, int Replayed, int InFlightRetries, int DistinctAnswers, int Effects, ApiAnswer ReusedKey, IReadOnlyList<string> Problems)
{
    public bool Passed => Problems.Count == 0;
}

/// <summary>
/// The same <c>Idempotency-Key</c> and body sent <c>replays</c> times, <c>concurrency</c> at once: the first runs, its twins
/// still racing it get 409 <c>idempotency-key-in-flight</c> and retry (as the API asks), and in the end every send has the
/// same status and body, one effect exists, and the same key with another body gets 422 <c>idempotency-key-reused</c>.
/// Run on opening a case (one case with the storm's conversation id) and on a note (one note event).
/// </summary>
public static class IdempotencyStorm
{
    public static async Task<IReadOnlyList<(string Name, StormReport Report)>> RunAsync(FaultEnvironment environment, Uri baseAddress, string agentKey,
        int replays = 100, int concurrency = 50, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var merchants = await environment.MerchantsWithContractsAsync().ConfigureAwait(false);
        using var api = new FaultApi(baseAddress, agentKey);
        var conversation = "storm-" + Guid.NewGuid().ToString("N");
        var open = await StormAsync(api, "cases", new
        {
            type = "data-fee-cancellation", merchantId = merchants[0], description = "幂等风暴", conversationId = conversation,
            claimAmountFen = 9900, claimChargedOn = "2026-06-01",
        }, new { type = "data-fee-cancellation", merchantId = merchants[0], description = "幂等风暴（另一请求体）", conversationId = conversation },
            replays, concurrency, async () =>
            {
                var list = await api.GetAsync($"cases?conversationId={conversation}", cancellationToken).ConfigureAwait(false);
                return list.Json.GetProperty("items").GetArrayLength();
            }, cancellationToken).ConfigureAwait(false);

        var caseId = Guid.Parse((await api.GetAsync($"cases?conversationId={conversation}", cancellationToken).ConfigureAwait(false))
            .Json.GetProperty("items")[0].GetProperty("id").GetString()!);
        var text = "storm note " + Guid.NewGuid().ToString("N");
        var note = await StormAsync(api, $"cases/{caseId:D}/notes", new { text }, new { text = text + " (edited)" }, replays, concurrency, async () =>
        {
            await using var connection = environment.OpenDatabase();
            var store = await StoreSnapshot.ReadAsync(connection).ConfigureAwait(false);
            return store.TimelineOf(caseId).Count(e => e.Kind == "note" && e.Text("text")?.StartsWith(text, StringComparison.Ordinal) == true);
        }, cancellationToken).ConfigureAwait(false);
        return [("open-case", open), ("note", note)];
    }

    private static async Task<StormReport> StormAsync(FaultApi api, string route, object body, object otherBody, int replays, int concurrency,
        Func<Task<int>> countEffects, CancellationToken cancellationToken)
    {
        var key = "storm-" + Guid.NewGuid().ToString("N");
        var answers = new ConcurrentBag<ApiAnswer>();
        var retries = 0;
        using var gate = new SemaphoreSlim(concurrency);
        var sends = Enumerable.Range(0, replays).Select(_ => Task.Run(async () =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                for (var attempt = 0; ; attempt++)
                {
                    var answer = await api.PostAsync(route, body, key, cancellationToken: cancellationToken).ConfigureAwait(false);
                    if (answer.Status == 409 && answer.ProblemType == "idempotency-key-in-flight" && attempt < 600)
                    {
                        Interlocked.Increment(ref retries);
                        await Task.Delay(50, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                    answers.Add(answer);
                    return;
                }
            }
            finally
            {
                gate.Release();
            }
        }, cancellationToken)).ToList();
        await Task.WhenAll(sends).ConfigureAwait(false);

        var problems = new List<string>();
        var distinct = answers.Select(a => (a.Status, a.Body)).Distinct().ToList();
        if (distinct.Count != 1) problems.Add($"{distinct.Count} different answers: {string.Join(" | ", distinct.Select(d => $"{d.Status} {Short(d.Body)}"))}");
        if (answers.Any(a => !a.IsSuccess)) problems.Add($"not every answer is a success: {string.Join(", ", answers.Where(a => !a.IsSuccess).Select(a => a.ToString()).Distinct())}");
        var replayed = answers.Count(a => a.Replayed);
        if (replayed != replays - 1) problems.Add($"{replayed} answers were replays; expected {replays - 1}");
        var effects = await countEffects().ConfigureAwait(false);
        if (effects != 1) problems.Add($"{effects} effects; expected exactly one");
        var reused = await api.PostAsync(route, otherBody, key, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (reused.Status != 422 || reused.ProblemType != "idempotency-key-reused")
            problems.Add($"the same key with another body got {reused}, not 422 idempotency-key-reused");
        if (await countEffects().ConfigureAwait(false) != effects) problems.Add("the refused body still had an effect");
        return new StormReport(answers.Count, replayed, retries, distinct.Count, effects, reused, problems);
    }

    private static string Short(string text) => text.Length <= 120 ? text : text[..120] + "…";
}
