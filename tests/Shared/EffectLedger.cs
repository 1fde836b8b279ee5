using System.Collections.Concurrent;

namespace PosSupport.Testing;

public enum EffectKind { CaseOpened, Message, Note, Evidence, Transition }

/// <summary>
/// A command the API acknowledged with a 2xx, and what identifies its effect: the case, the version the answer gave,
/// and the message or evidence id, or the unique text of a note or a transition's reason.
/// </summary>
public sealed record Acknowledged(EffectKind Kind, Guid CaseId, long Version, Guid? ItemId = null, string? Token = null, string? Trigger = null);

/// <summary>
/// A request that got no answer (in flight at a kill, or sent while the host was down), kept to be sent again as a real
/// client would: same API key (<paramref name="Client"/>), same <c>Idempotency-Key</c>, same body. <paramref name="Effects"/>
/// counts its effect in the database (SQL taking <c>@token</c>): after the retry it must be exactly one.
/// </summary>
public sealed record UnansweredRequest(string Client, string Command, string Token, Func<FaultApi, Task<ApiAnswer>> Resend, string Effects);

/// <summary>Every acknowledged command of a run, and the requests that got no answer (in flight at a kill).</summary>
public sealed class EffectLedger
{
    private readonly ConcurrentQueue<Acknowledged> _acknowledged = new();
    private readonly ConcurrentQueue<UnansweredRequest> _unansweredRequests = new();
    private int _unanswered;

    public IReadOnlyCollection<Acknowledged> All => _acknowledged;

    public int Unanswered => Volatile.Read(ref _unanswered);

    public void Add(Acknowledged effect) => _acknowledged.Enqueue(effect);

    public IReadOnlyCollection<UnansweredRequest> UnansweredRequests => _unansweredRequests;

    public void NoAnswer(UnansweredRequest? request = null)
    {
        Interlocked.Increment(ref _unanswered);
        if (request is not null) _unansweredRequests.Enqueue(request);
    }

    public IReadOnlySet<Guid> CaseIds => _acknowledged.Select(a => a.CaseId).ToHashSet();

    public int Count(EffectKind kind) => _acknowledged.Count(a => a.Kind == kind);
}

/// <summary>
/// The checks of the fault scenarios over a <see cref="StoreSnapshot"/>: acknowledged effects that are missing (lost
/// writes), half-done cases (a timeline with a gap or without its opening, a version the timeline cannot explain, rows of
/// a case that does not exist, messages or evidence without their timeline event), and illegal transitions.
/// </summary>
public static class StoreAudit
{
    /// <summary>One line per acknowledged effect that the database does not hold.</summary>
    public static IReadOnlyList<string> Lost(EffectLedger ledger, StoreSnapshot store)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(store);
        var lost = new List<string>();
        foreach (var ack in ledger.All)
        {
            var present = store.Cases.TryGetValue(ack.CaseId, out var record) && record.Version >= ack.Version && ack.Kind switch
            {
                EffectKind.CaseOpened => store.TimelineOf(ack.CaseId).Any(e => e.Kind == "opened"),
                EffectKind.Message => store.Messages.TryGetValue(ack.ItemId!.Value, out var caseId) && caseId == ack.CaseId,
                EffectKind.Evidence => store.Evidence.TryGetValue(ack.ItemId!.Value, out var item) && item.CaseId == ack.CaseId
                                       && item.Status is "received" or "accepted" or "rejected",
                EffectKind.Note => store.TimelineOf(ack.CaseId).Any(e => e.Kind == "note" && e.Text("text") == ack.Token),
                EffectKind.Transition => store.TimelineOf(ack.CaseId).Any(e => e.Kind == "transition" && e.Text("trigger") == ack.Trigger
                                                                            && ReasonOf(e) == ack.Token),
                _ => false,
            };
            if (!present)
                lost.Add($"{ack.Kind} on case {ack.CaseId} (version {ack.Version}{(ack.ItemId is { } id ? $", item {id}" : "")}{(ack.Token is { } t ? $", '{t}'" : "")})"
                         + (record is null ? ": the case is missing" : $": not in the database (case version {record.Version})"));
        }
        return lost;
    }

    /// <summary>
    /// One line per sign of a half-done change: timelines, versions and orphan rows over every case in the database; messages
    /// and evidence without their timeline event on the cases of <paramref name="scope"/> (the demo data accepts its evidence
    /// with SQL, without events).
    /// </summary>
    public static IReadOnlyList<string> HalfDone(StoreSnapshot store, IReadOnlySet<Guid> scope)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(scope);
        var problems = new List<string>();
        foreach (var record in store.Cases.Values)
        {
            var timeline = store.TimelineOf(record.Id);
            if (timeline.Count == 0 || timeline[0].Kind != "opened")
                problems.Add($"case {record.Id}: the timeline does not start with 'opened'");
            for (var i = 0; i < timeline.Count; i++)
            {
                if (timeline[i].Seq == i + 1) continue;
                problems.Add($"case {record.Id}: timeline sequence is not contiguous at position {i + 1} (seq {timeline[i].Seq})");
                break;
            }
            // Every change bumps the version once and writes at least one event: a version above the event count is a write without its event.
            if (record.Version < 1 || record.Version > timeline.Count)
                problems.Add($"case {record.Id}: version {record.Version} does not match a timeline of {timeline.Count} events");
        }
        foreach (var (timelineCase, _) in store.Timelines.Where(t => !store.Cases.ContainsKey(t.Key)))
            problems.Add($"timeline events of a case that does not exist: {timelineCase}");
        foreach (var (message, caseId) in store.Messages)
        {
            if (!store.Cases.ContainsKey(caseId)) problems.Add($"message {message} of a case that does not exist: {caseId}");
            else if (scope.Contains(caseId) && !store.TimelineOf(caseId).Any(e => e.Kind == "message" && e.Text("message") is { } m && Guid.Parse(m) == message))
                problems.Add($"case {caseId}: message {message} has no timeline event");
        }
        foreach (var (evidence, (caseId, status)) in store.Evidence)
        {
            if (!store.Cases.ContainsKey(caseId)) problems.Add($"evidence {evidence} of a case that does not exist: {caseId}");
            else if (scope.Contains(caseId) && status != "requested"
                     && !store.TimelineOf(caseId).Any(e => e.Kind == "evidence-received" && e.Text("evidence") is { } id && Guid.Parse(id) == evidence))
                problems.Add($"case {caseId}: evidence {evidence} ({status}) has no 'evidence-received' event");
        }
        foreach (var followUp in store.FollowUps.Where(f => !store.Cases.ContainsKey(f.CaseId)))
            problems.Add($"follow-up {followUp.Id} of a case that does not exist: {followUp.CaseId}");
        return problems;
    }

    /// <summary>One line per transition on the timelines of <paramref name="caseIds"/> that its workflow does not allow, or that does not start where the case was.</summary>
    public static IReadOnlyList<string> IllegalTransitions(StoreSnapshot store, WorkflowRules rules, IEnumerable<Guid> caseIds)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(rules);
        var problems = new List<string>();
        foreach (var caseId in caseIds)
        {
            if (!store.Cases.TryGetValue(caseId, out var record)) continue;
            string? state = null;
            foreach (var e in store.TimelineOf(caseId).Where(e => e.Kind == "transition"))
            {
                var (from, to, trigger) = (e.Text("from") ?? "", e.Text("to") ?? "", e.Text("trigger") ?? "");
                if (state is not null && from != state)
                    problems.Add($"case {caseId} seq {e.Seq}: '{trigger}' starts from {from}, but the case was in {state}");
                if (!rules.Allows(record.WorkflowId, from, trigger, to))
                    problems.Add($"case {caseId} seq {e.Seq}: {from} --{trigger}--> {to} is not a transition of {record.WorkflowId}");
                state = to;
            }
            if (state is not null && state != record.State)
                problems.Add($"case {caseId}: the last transition went to {state}, but the case is in {record.State}");
        }
        return problems;
    }

    private static string? ReasonOf(StoreSnapshot.TimelineEvent e) =>
        e.Data.TryGetProperty("inputs", out var inputs) && inputs.ValueKind == System.Text.Json.JsonValueKind.Object
        && inputs.TryGetProperty("reason", out var reason) ? reason.GetString() : null;
}
