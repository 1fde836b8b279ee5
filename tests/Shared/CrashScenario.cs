using System.Diagnostics;

namespace PosSupport.Testing;

/// <param name="Provider">sqlite or postgres.</param>
/// <param name="Clients">Parallel load clients (each with its own agent key).</param>
/// <param name="LoadSeconds">Load before the kill.</param>
public sealed record CrashOptions(string Provider, int Clients = 4, double LoadSeconds = 5);

/// <summary>
/// What a crash run found. <see cref="Passed"/>: nothing acknowledged lost, nothing half-done, no 5xx, every pending follow-up
/// fired once. <c>FollowUpsSettled</c>: from the restarted host answering to the last pending follow-up found fired (or the wait
/// given up).
/// </summary>
public sealed record CrashReport(
    CrashOptions Options,
    long Commands,
    int Acknowledged,
    int Unanswered,
    IReadOnlyList<string> Lost,
    IReadOnlyList<string> HalfDone,
    IReadOnlyList<string> Unexpected,
    int FollowUpsPendingAtKill,
    int FollowUpsFired,
    IReadOnlyList<string> FollowUpsMissing,
    IReadOnlyList<string> FollowUpsDuplicated,
    TimeSpan Restart,
    int Retried,
    int RetriesReplayed,
    IReadOnlyList<string> RetriesFailed,
    IReadOnlyList<string>? Clues = null,
    TimeSpan FollowUpsSettled = default)
{
    /// <summary>When follow-ups did not fire: what the clock holds for their jobs, and the restarted host's warnings.</summary>
    public IReadOnlyList<string> Clues { get; } = Clues ?? [];

    public bool Passed => Lost.Count == 0 && HalfDone.Count == 0 && Unexpected.Count == 0 && FollowUpsMissing.Count == 0 && FollowUpsDuplicated.Count == 0
                          && RetriesFailed.Count == 0 && Acknowledged > 0 && FollowUpsPendingAtKill > 0;

    public IEnumerable<string> Problems => Lost.Select(l => "lost: " + l).Concat(HalfDone.Select(h => "half-done: " + h))
        .Concat(Unexpected.Select(u => "unexpected answer: " + u)).Concat(FollowUpsMissing.Select(f => "follow-up not fired: " + f))
        .Concat(FollowUpsDuplicated.Select(f => "follow-up fired twice: " + f))
        .Concat(RetriesFailed.Select(r => "retry after restart: " + r))
        .Concat(Acknowledged == 0 ? ["no command was acknowledged before the kill"] : [])
        .Concat(FollowUpsPendingAtKill == 0 ? ["no follow-up was pending at the kill"] : []);
}

/// <summary>
/// <c>kill -9</c> during load: clients drive cases over HTTP and record every acknowledged command; mid-load the host is
/// killed (SIGKILL), the pending reminder follow-ups of the load's cases are read from the database, and the host is
/// started again on the same data and port. Then every acknowledged effect must be in the database, no case half-done,
/// and every follow-up that was pending at the kill must fire exactly once after the restart.
/// </summary>
public static class CrashScenario
{
    public static async Task<CrashReport> RunAsync(CrashOptions options, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        log ??= _ => { };
        // Reminders fall due from a few seconds after the kill, so some come due while the host is down and some after it is back.
        var reminderAfter = TimeSpan.FromSeconds(Math.Ceiling(options.LoadSeconds) + 4);
        using var environment = await FaultEnvironment.CreateAsync(options.Provider, reminderAfter, cancellationToken).ConfigureAwait(false);
        var merchants = await environment.MerchantsWithContractsAsync().ConfigureAwait(false);
        var keys = new List<string>();
        for (var i = 0; i < options.Clients; i++) keys.Add(await environment.CreateKeyAsync($"crash-agent-{i}", "agent", cancellationToken: cancellationToken).ConfigureAwait(false));

        var ledger = new EffectLedger();
        var load = new CaseLoad(ledger, merchants);
        var host = await environment.StartAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        log($"host pid {host.ProcessId} on port {host.Port} ({options.Provider}); {options.Clients} clients for {options.LoadSeconds:F0} s, then kill -9");
        using var stop = new CancellationTokenSource();
        var apis = keys.Select(k => new FaultApi(host.BaseAddress, k)).ToList();
        var clients = apis.Select((api, i) => Task.Run(() => load.RunAsync($"c{i}", api, api, openerIsChannel: false, stop.Token), CancellationToken.None)).ToList();

        // On a busy machine the first requests are slow: the kill waits for a few cases per client, at most a minute more.
        var loadClock = Stopwatch.StartNew();
        while (loadClock.Elapsed < TimeSpan.FromSeconds(options.LoadSeconds)
               || (ledger.Count(EffectKind.CaseOpened) < 2 * options.Clients && loadClock.Elapsed < TimeSpan.FromSeconds(options.LoadSeconds + 60)))
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        host.Kill();
        var acknowledgedAtKill = ledger.All.Count;
        stop.Cancel();
        await Task.WhenAll(clients).ConfigureAwait(false);
        apis.ForEach(a => a.Dispose());
        await host.DisposeAsync().ConfigureAwait(false);
        log($"killed after {loadClock.Elapsed.TotalSeconds:F1} s and {load.Commands} answered commands ({acknowledgedAtKill} acknowledged, {ledger.Unanswered} unanswered)");

        StoreSnapshot atKill;
        await using (var connection = environment.OpenDatabase()) atKill = await StoreSnapshot.ReadAsync(connection).ConfigureAwait(false);
        var loadCases = ledger.CaseIds;
        var pending = atKill.FollowUps
            .Where(f => loadCases.Contains(f.CaseId) && f.Status == "pending" && f.Kind == "remind" && f.Template == FaultEnvironment.ReminderTemplate
                        && f.Attempt == 0)
            .ToList();

        var clock = Stopwatch.StartNew();
        StoreSnapshot after;
        await using (var restarted = await environment.StartAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var restart = clock.Elapsed;
            log($"restarted in {restart.TotalSeconds:F1} s; waiting for {pending.Count} pending reminders (due {reminderAfter.TotalSeconds:F0} s after their case opened)");
            // The slowest legitimate paths: a job fetched just before the kill is hidden for Hangfire.PostgreSql's invisibility
            // timeout (1 minute, FollowUpClock) before a worker takes it again; a lock the dead host held (a job's state lock,
            // taken while it moved a job to its due time) stops the delayed-job scheduler until the lock is a minute old
            // (DistributedLockTimeout); a row whose arming died with the host waits for a sweep (at start-up, then every
            // minute). Two minutes covers any of them on a busy machine; the wait ends as soon as every reminder has fired.
            after = await WaitForFollowUpsAsync(environment, pending, reminderAfter + TimeSpan.FromSeconds(120), cancellationToken).ConfigureAwait(false);
            var settled = clock.Elapsed - restart;
            // A second look a little later: a twin job firing the same row again would show now.
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
            await using (var connection = environment.OpenDatabase()) after = await StoreSnapshot.ReadAsync(connection).ConfigureAwait(false);
            var (fired, missing, duplicated) = CheckFollowUps(pending, after);
            var clues = missing.Count == 0 ? [] : await CluesAsync(environment, pending, after, restarted.Output).ConfigureAwait(false);
            // Then, as the clients would, send again every request that got no answer, with its Idempotency-Key: it must
            // succeed and have its effect exactly once, whether it had committed before the kill (replayed) or not (run now).
            var (retried, replayed, retriesFailed) = await RetryUnansweredAsync(environment, restarted.BaseAddress,
                ledger.UnansweredRequests, keys.Select((key, i) => ($"c{i}", key)).ToDictionary(), cancellationToken).ConfigureAwait(false);
            log($"retried {retried} unanswered requests after the restart: {replayed} replayed, {retriesFailed.Count} failed");
            return new CrashReport(options, load.Commands, ledger.All.Count, ledger.Unanswered, StoreAudit.Lost(ledger, after), StoreAudit.HalfDone(after, loadCases),
                load.Unexpected.ToList(), pending.Count, fired, missing, duplicated, restart, retried, replayed, retriesFailed, clues, settled);
        }
    }

    /// <summary>
    /// Sends each unanswered request again with its client's key and Idempotency-Key; a retry fails the check unless it gets
    /// a 2xx and its effect is in the database exactly once.
    /// </summary>
    public static async Task<(int Retried, int Replayed, IReadOnlyList<string> Failed)> RetryUnansweredAsync(FaultEnvironment environment, Uri baseAddress,
        IReadOnlyCollection<UnansweredRequest> requests, Dictionary<string, string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(keys);
        var failed = new List<string>();
        int retried = 0, replayed = 0;
        foreach (var request in requests)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var api = new FaultApi(baseAddress, keys[request.Client]);
            var answer = await request.Resend(api).ConfigureAwait(false);
            retried++;
            if (answer.Replayed) replayed++;
            long effects;
            await using (var connection = environment.OpenDatabase())
                effects = await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, request.Effects, new { token = request.Token }).ConfigureAwait(false);
            if (!answer.IsSuccess || effects != 1)
                failed.Add($"{request.Command} {request.Token}: {answer} {(answer.Body.Length > 200 ? answer.Body[..200] : answer.Body)}; its effect is in the database {effects} time(s)");
        }
        return (retried, replayed, failed);
    }

    /// <summary>Fired = the row's attempt went up (its next repeat is a day away); once = the case's timeline holds as many reminders as attempts.</summary>
    public static (int Fired, IReadOnlyList<string> Missing, IReadOnlyList<string> Duplicated) CheckFollowUps(
        IReadOnlyList<StoreSnapshot.FollowUp> pendingAtKill, StoreSnapshot after)
    {
        ArgumentNullException.ThrowIfNull(pendingAtKill);
        ArgumentNullException.ThrowIfNull(after);
        var rows = after.FollowUps.ToDictionary(f => f.Id);
        var missing = new List<string>();
        var duplicated = new List<string>();
        var fired = 0;
        foreach (var before in pendingAtKill)
        {
            var now = rows.GetValueOrDefault(before.Id);
            var reminders = after.RemindersOn(before.CaseId, before.Template!);
            var times = (now?.Attempt ?? 0) - before.Attempt;
            if (now is null || times < 1) missing.Add($"{before.Id} (case {before.CaseId}): still {now?.Status ?? "gone"}, attempt {now?.Attempt}, due {now?.DueAt}, job {now?.JobId ?? "none"} (at the kill: job {before.JobId ?? "none"})");
            else fired++;
            if (times > 1 || reminders > (now?.Attempt ?? 0))
                duplicated.Add($"{before.Id} (case {before.CaseId}): attempt {before.Attempt} → {now?.Attempt}, {reminders} reminders on the timeline");
        }
        return (fired, missing, duplicated);
    }

    /// <summary>
    /// For a failure message: each unfired follow-up's jobs (then and now) as Hangfire's PostgreSQL tables record them (state
    /// history, queue entry), the storage's locks, and the restarted host's warnings and errors. SQLite's clock is in memory.
    /// </summary>
    private static async Task<IReadOnlyList<string>> CluesAsync(FaultEnvironment environment, IReadOnlyList<StoreSnapshot.FollowUp> pendingAtKill,
        StoreSnapshot after, string hostOutput)
    {
        var clues = new List<string>();
        var rows = after.FollowUps.ToDictionary(f => f.Id);
        var unfired = pendingAtKill.Where(p => !rows.TryGetValue(p.Id, out var now) || now.Attempt <= p.Attempt).ToList();
        if (environment.Provider == "postgres")
        {
            try
            {
                await using var connection = environment.OpenDatabase();
                foreach (var job in unfired.SelectMany(p => new[] { p.JobId, rows.GetValueOrDefault(p.Id)?.JobId }).OfType<string>().Distinct())
                {
                    if (!long.TryParse(job, System.Globalization.CultureInfo.InvariantCulture, out var id)) continue;
                    var states = await Dapper.SqlMapper.QueryAsync<(string, string?, string)>(connection,
                        "SELECT name, reason, CAST(createdat AS text) FROM hangfire.state WHERE jobid = @id ORDER BY id", new { id }).ConfigureAwait(false);
                    var queued = await Dapper.SqlMapper.QueryAsync<(string, string?)>(connection,
                        "SELECT queue, CAST(fetchedat AS text) FROM hangfire.jobqueue WHERE jobid = @id", new { id }).ConfigureAwait(false);
                    clues.Add($"job {job}: {string.Join(" -> ", states.Select(s => $"{s.Item1} at {s.Item3}{(s.Item2 is null ? "" : $" ({s.Item2})")}"))}; "
                              + $"queue: {string.Join(", ", queued.Select(q => $"{q.Item1} fetched {q.Item2 ?? "never"}"))}");
                }
                var locks = await Dapper.SqlMapper.QueryAsync<(string, string)>(connection,
                    "SELECT resource, CAST(acquired AS text) FROM hangfire.lock").ConfigureAwait(false);
                clues.Add($"hangfire locks: {string.Join(", ", locks.Select(l => $"{l.Item1} since {l.Item2}"))}");
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
            {
                clues.Add($"reading Hangfire's tables failed: {e.Message}");
            }
        }
        clues.AddRange(hostOutput.Split(Environment.NewLine)
            .Where(l => l.Contains("warn", StringComparison.OrdinalIgnoreCase) || l.Contains("fail", StringComparison.OrdinalIgnoreCase)
                        || l.Contains("error", StringComparison.OrdinalIgnoreCase) || l.Contains("Follow-ups at start-up", StringComparison.Ordinal))
            .TakeLast(40).Select(l => "host: " + l));
        return clues;
    }

    private static async Task<StoreSnapshot> WaitForFollowUpsAsync(FaultEnvironment environment, IReadOnlyList<StoreSnapshot.FollowUp> pending, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            StoreSnapshot snapshot;
            await using (var connection = environment.OpenDatabase()) snapshot = await StoreSnapshot.ReadAsync(connection).ConfigureAwait(false);
            var rows = snapshot.FollowUps.ToDictionary(f => f.Id);
            if (pending.All(p => rows.TryGetValue(p.Id, out var now) && now.Attempt > p.Attempt) || deadline.Elapsed > timeout) return snapshot;
            await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        }
    }
}
