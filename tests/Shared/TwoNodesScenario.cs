using System.Diagnostics;

namespace PosSupport.Testing;

/// <param name="Clients">Pairs of (chat channel with a webhook URL, agent) driving cases.</param>
/// <param name="LoadSeconds">Load across both nodes.</param>
public sealed record TwoNodesOptions(int Clients = 4, double LoadSeconds = 10);

/// <summary>What a two-node run found. <see cref="Passed"/>: no duplicates, no losses, no half-done case, no unexpected answer.</summary>
public sealed record TwoNodesReport(
    TwoNodesOptions Options,
    long Commands,
    int Acknowledged,
    IReadOnlyList<string> Lost,
    IReadOnlyList<string> HalfDone,
    IReadOnlyList<string> Unexpected,
    int FollowUpsFired,
    IReadOnlyList<string> FollowUpsMissing,
    IReadOnlyList<string> FollowUpsDuplicated,
    int WebhooksExpected,
    int WebhooksReceived,
    IReadOnlyList<string> WebhooksMissing,
    IReadOnlyList<string> WebhooksDuplicated)
{
    public int Duplicates => FollowUpsDuplicated.Count + WebhooksDuplicated.Count;

    public int Losses => Lost.Count + FollowUpsMissing.Count + WebhooksMissing.Count;

    public bool Passed => Duplicates == 0 && Losses == 0 && HalfDone.Count == 0 && Unexpected.Count == 0 && Acknowledged > 0 && FollowUpsFired > 0
                          && WebhooksExpected > 0;

    public IEnumerable<string> Problems => Lost.Select(l => "lost: " + l).Concat(HalfDone.Select(h => "half-done: " + h))
        .Concat(Unexpected.Select(u => "unexpected answer: " + u)).Concat(FollowUpsMissing.Select(f => "follow-up not fired: " + f))
        .Concat(FollowUpsDuplicated.Select(f => "follow-up fired twice: " + f)).Concat(WebhooksMissing.Select(w => "webhook not delivered: " + w))
        .Concat(WebhooksDuplicated.Select(w => "webhook delivered twice: " + w))
        .Concat(FollowUpsFired == 0 ? ["no follow-up fell due during the run"] : [])
        .Concat(WebhooksExpected == 0 ? ["no webhook event was expected"] : []);
}

/// <summary>
/// Two web hosts on one PostgreSQL database (different ports, both running Hangfire on the same storage). Chat-channel
/// clients (webhook URLs pointing at a <see cref="WebhookListener"/>) open cases on one node while their agents work them on
/// the other; evidence reminders fall due during the run. At the end: every acknowledged command is in the database, every
/// due reminder fired once (never by both nodes), and every webhook event of the channels' cases reached the listener once.
/// </summary>
public static class TwoNodesScenario
{
    public static async Task<TwoNodesReport> RunAsync(TwoNodesOptions options, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        log ??= _ => { };
        var reminderAfter = TimeSpan.FromSeconds(Math.Max(3, Math.Ceiling(options.LoadSeconds / 2)));
        using var environment = await FaultEnvironment.CreateAsync("postgres", reminderAfter, cancellationToken).ConfigureAwait(false);
        using var listener = new WebhookListener();
        var merchants = await environment.MerchantsWithContractsAsync().ConfigureAwait(false);
        var channelKeys = new List<string>();
        var agentKeys = new List<string>();
        for (var i = 0; i < options.Clients; i++)
        {
            channelKeys.Add(await environment.CreateKeyAsync($"two-nodes-app-{i}", "channel", $"{listener.BaseUrl}{i}", cancellationToken).ConfigureAwait(false));
            agentKeys.Add(await environment.CreateKeyAsync($"two-nodes-crm-{i}", "agent", cancellationToken: cancellationToken).ConfigureAwait(false));
        }

        await using var nodeA = await environment.StartAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var nodeB = await environment.StartAsync(ServerProcess.FreePort(), cancellationToken).ConfigureAwait(false);
        ServerProcess[] nodes = [nodeA, nodeB];
        log($"two nodes on one PostgreSQL: pid {nodeA.ProcessId} port {nodeA.Port}, pid {nodeB.ProcessId} port {nodeB.Port}; webhooks to {listener.BaseUrl}");

        var ledger = new EffectLedger();
        var load = new CaseLoad(ledger, merchants);
        var apis = new List<FaultApi>();
        using var stop = new CancellationTokenSource();
        var clients = new List<Task>();
        for (var i = 0; i < options.Clients; i++)
        {
            // The channel talks to one node and its agent to the other: every case is written by both.
            var channel = new FaultApi(nodes[i % 2].BaseAddress, channelKeys[i]);
            var agent = new FaultApi(nodes[(i + 1) % 2].BaseAddress, agentKeys[i]);
            apis.AddRange([channel, agent]);
            var name = $"n{i}";
            clients.Add(Task.Run(() => load.RunAsync(name, channel, agent, openerIsChannel: true, stop.Token), CancellationToken.None));
        }
        var loadClock = Stopwatch.StartNew();
        while (loadClock.Elapsed < TimeSpan.FromSeconds(options.LoadSeconds)
               || (ledger.Count(EffectKind.CaseOpened) < 2 * options.Clients && loadClock.Elapsed < TimeSpan.FromSeconds(options.LoadSeconds + 60)))
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        stop.Cancel();
        await Task.WhenAll(clients).ConfigureAwait(false);
        apis.ForEach(a => a.Dispose());
        log($"load done after {loadClock.Elapsed.TotalSeconds:F1} s: {load.Commands} commands, {ledger.All.Count} acknowledged; waiting for reminders and webhooks");

        var loadCases = ledger.CaseIds;
        var settle = Stopwatch.StartNew();
        var timeout = reminderAfter + TimeSpan.FromSeconds(90);
        StoreSnapshot store;
        while (true)
        {
            await using (var connection = environment.OpenDatabase()) store = await StoreSnapshot.ReadAsync(connection).ConfigureAwait(false);
            var remindersDue = Reminders(store, loadCases).Any(f => f is { Status: "pending", Attempt: 0 });
            var expected = ExpectedWebhooks(store, loadCases);
            var delivered = listener.All.Select(r => r.DeliveryId).ToHashSet();
            var deliveriesOpen = expected.Any(key => store.Deliveries.FirstOrDefault(d => d.SourceKey == key) is not { } d || !delivered.Contains(d.Id));
            if ((!remindersDue && !deliveriesOpen) || settle.Elapsed > timeout) break;
            await Task.Delay(1000, cancellationToken).ConfigureAwait(false);
        }
        // A little longer: a second node firing the same follow-up or sending the same delivery again would show now.
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);
        await using (var connection = environment.OpenDatabase()) store = await StoreSnapshot.ReadAsync(connection).ConfigureAwait(false);
        log($"settled after {settle.Elapsed.TotalSeconds:F1} s");

        var (fired, followUpsMissing, followUpsDuplicated) = CheckReminders(store, loadCases);
        var (expectedCount, missing, duplicated) = CheckWebhooks(store, loadCases, listener.All);
        var unexpected = load.Unexpected.ToList();
        foreach (var node in nodes.Where(n => n.HasExited)) unexpected.Add($"node on port {node.Port} exited: {node.Output}");
        return new TwoNodesReport(options, load.Commands, ledger.All.Count, StoreAudit.Lost(ledger, store), StoreAudit.HalfDone(store, loadCases), unexpected,
            fired, followUpsMissing, followUpsDuplicated, expectedCount, listener.All.Count, missing, duplicated);
    }

    private static IEnumerable<StoreSnapshot.FollowUp> Reminders(StoreSnapshot store, IReadOnlySet<Guid> cases) =>
        store.FollowUps.Where(f => cases.Contains(f.CaseId) && f.Kind == "remind" && f.Template == FaultEnvironment.ReminderTemplate);

    /// <summary>Fired = attempt 1 (the next repeat is a day away); once = one reminder on the timeline, never a second attempt.</summary>
    public static (int Fired, IReadOnlyList<string> Missing, IReadOnlyList<string> Duplicated) CheckReminders(StoreSnapshot store, IReadOnlySet<Guid> cases)
    {
        ArgumentNullException.ThrowIfNull(store);
        var missing = new List<string>();
        var duplicated = new List<string>();
        var fired = 0;
        foreach (var row in Reminders(store, cases))
        {
            var reminders = store.RemindersOn(row.CaseId, row.Template!);
            if (row.Attempt > 1 || reminders > Math.Max(row.Attempt, 1))
                duplicated.Add($"{row.Id} (case {row.CaseId}): attempt {row.Attempt}, {reminders} reminders on the timeline");
            if (row.Attempt >= 1) fired++;
            else if (row.Status == "pending") missing.Add($"{row.Id} (case {row.CaseId}): still pending, never fired");
        }
        return (fired, missing, duplicated);
    }

    /// <summary>
    /// The deliveries the channels' cases must produce (source key <c>case:seq:type</c>), from their merchant-visible timeline:
    /// a message to the merchant (a reply or a reminder) is <c>message.created</c>; a transition is <c>case.state_changed</c>.
    /// </summary>
    public static IReadOnlyList<string> ExpectedWebhooks(StoreSnapshot store, IReadOnlySet<Guid> cases)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(cases);
        var expected = new List<string>();
        foreach (var caseId in cases)
        {
            foreach (var e in store.TimelineOf(caseId))
            {
                var type = e.Kind switch
                {
                    "message" when e.Text("direction") == "outbound" => "message.created",
                    "message-queued" when e.Text("recipient") == "merchant" => "message.created",
                    "transition" => "case.state_changed",
                    _ => null,
                };
                if (type is not null) expected.Add($"{caseId:N}:{e.Seq}:{type}");
            }
        }
        return expected;
    }

    public static (int Expected, IReadOnlyList<string> Missing, IReadOnlyList<string> Duplicated) CheckWebhooks(StoreSnapshot store, IReadOnlySet<Guid> cases,
        IReadOnlyCollection<WebhookListener.Received> received)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(received);
        var expected = ExpectedWebhooks(store, cases);
        var bySource = store.Deliveries.GroupBy(d => d.SourceKey).ToDictionary(g => g.Key, g => g.ToList());
        var receivedById = received.GroupBy(r => r.DeliveryId).ToDictionary(g => g.Key, g => g.Count());
        var missing = new List<string>();
        var duplicated = new List<string>();
        foreach (var key in expected)
        {
            if (!bySource.TryGetValue(key, out var deliveries)) missing.Add($"{key}: no delivery was queued");
            else if (!deliveries.Any(d => receivedById.ContainsKey(d.Id)))
                missing.Add($"{key}: delivery {deliveries[0].Id} ({deliveries[0].Status}) never reached the receiver");
        }
        foreach (var (id, count) in receivedById.Where(r => r.Value > 1)) duplicated.Add($"delivery {id} received {count} times");
        var sourceOf = store.Deliveries.ToDictionary(d => d.Id, d => d.SourceKey);
        foreach (var group in received.Select(r => r.DeliveryId).Distinct().Where(sourceOf.ContainsKey).GroupBy(id => sourceOf[id]).Where(g => g.Count() > 1))
            duplicated.Add($"event {group.Key} delivered under {group.Count()} delivery ids");
        return (expected.Count, missing, duplicated);
    }
}
