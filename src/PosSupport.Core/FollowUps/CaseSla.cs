using System.Text.Json;
using PosSupport.Core.Cases;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.FollowUps;

/// <summary>The SLA clocks of a case: first response and resolution for every case, plus the current state's own target when it has one.</summary>
public enum SlaClockKind { FirstResponse, Resolution, State }

/// <summary>One SLA clock of a case as a person reads it: what it measures, the target and where it stands.</summary>
public sealed record SlaView(SlaClockKind Clock, string Key, LocalizedText Title, SlaStatus Status);

/// <summary>One row of the timeline as the SLA clocks read it.</summary>
public sealed class SlaEvent
{
    public string Kind { get; set; } = "";
    public string Actor { get; set; } = "";
    public string Visibility { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public string Data { get; set; } = "";
}

/// <summary>
/// Derives a case's SLA clocks from its event log, so they can be recomputed at any time (a corrected calendar,
/// a new year file) without stored counters:
/// <list type="bullet">
/// <item>first response: runs from opening until the first thing a person on our side (agent or supervisor) tells the
/// merchant — a reply, a step the merchant sees — or until the case is resolved, whichever comes first;</item>
/// <item>resolution: runs from opening until the case enters a resolved or final state; time in a resolved state that
/// was later reopened counts as stopped, so a reopened case resumes its clock;</item>
/// <item>state: the current state's own target, from its latest entry, for as long as the case stays.</item>
/// </list>
/// All clocks stand still while the case waits on the merchant.
/// </summary>
public static class CaseSla
{
    public const string FirstResponseKey = "sla:first-response";
    public const string ResolutionKey = "sla:resolution";
    public const string StateKey = "sla:state";

    /// <summary>The follow-up row state of clocks that belong to the case, not to one state (so leaving a state keeps them).</summary>
    public const string CaseScope = "*";

    /// <summary>The events the clocks read: where the case went, and the merchant-visible steps people took.</summary>
    internal const string EventFilter =
        "(kind IN ('opened', 'transition', 'workflow-migrated') OR (visibility = 'merchant' AND actor IN ('agent', 'supervisor')))";

    /// <summary>Events the clocks read: where the case went, and the merchant-visible steps people took.</summary>
    public const string EventsSql = $"""
        SELECT kind AS Kind, actor AS Actor, visibility AS Visibility, at AS At, data AS Data
          FROM case_events
         WHERE case_id = @caseId
           AND {EventFilter}
         ORDER BY seq
        """;

    public static string KeyOf(SlaClockKind clock) => clock switch
    {
        SlaClockKind.FirstResponse => FirstResponseKey,
        SlaClockKind.Resolution => ResolutionKey,
        _ => StateKey,
    };

    public static SlaClockKind? ClockOf(string key) => key switch
    {
        FirstResponseKey => SlaClockKind.FirstResponse,
        ResolutionKey => SlaClockKind.Resolution,
        StateKey => SlaClockKind.State,
        _ => null,
    };

    public static LocalizedText TitleOf(SlaClockKind clock) => clock switch
    {
        SlaClockKind.FirstResponse => new("First response", "首次响应"),
        SlaClockKind.Resolution => new("Resolution", "解决时限"),
        _ => new("Time in this step", "当前环节时限"),
    };

    /// <summary>Every clock that applies to the case now, computed at <paramref name="now"/>.</summary>
    public static IReadOnlyList<SlaView> Compute(CaseRecord record, WorkflowDefinition workflow, IReadOnlyList<SlaEvent> events,
        BusinessCalendar calendar, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(workflow);
        ArgumentNullException.ThrowIfNull(events);
        var history = History(record, workflow, events);
        var priority = WorkflowSpelling.ParsePriority(record.Priority);
        var views = new List<SlaView>(3);
        foreach (var clock in (SlaClockKind[])[SlaClockKind.FirstResponse, SlaClockKind.Resolution, SlaClockKind.State])
            if (Clock(clock, record, workflow, history, priority, calendar, now) is { } status)
                views.Add(new SlaView(clock, KeyOf(clock), TitleOf(clock), status));
        return views;
    }

    /// <summary>One clock, or null when it does not apply (no target for the current state).</summary>
    public static SlaStatus? Compute(SlaClockKind clock, CaseRecord record, WorkflowDefinition workflow, IReadOnlyList<SlaEvent> events,
        BusinessCalendar calendar, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(workflow);
        ArgumentNullException.ThrowIfNull(events);
        return Clock(clock, record, workflow, History(record, workflow, events), WorkflowSpelling.ParsePriority(record.Priority), calendar, now);
    }

    private static SlaStatus? Clock(SlaClockKind clock, CaseRecord record, WorkflowDefinition workflow, CaseHistory history, Priority priority,
        BusinessCalendar calendar, DateTimeOffset now)
    {
        var warnAt = workflow.Sla.WarnAtFraction;
        switch (clock)
        {
            case SlaClockKind.FirstResponse:
            {
                var firstResolved = history.Segments.FirstOrDefault(s => s.Kind is StateKind.Resolved or StateKind.Final)?.From;
                var met = Earliest(history.FirstStaffResponse, firstResolved);
                return SlaClock.Compute(calendar, calendar.WorkingTime(workflow.Sla.FirstResponse[priority]), warnAt, record.OpenedAt, history.Pauses(includeResolved: false), met, now);
            }
            case SlaClockKind.Resolution:
            {
                var last = history.Segments[^1];
                DateTimeOffset? met = last.Kind is StateKind.Resolved or StateKind.Final ? ResolvedSince(history.Segments) : null;
                return SlaClock.Compute(calendar, calendar.WorkingTime(workflow.Sla.Resolution[priority]), warnAt, record.OpenedAt, history.Pauses(includeResolved: true), met, now);
            }
            default:
            {
                if (!workflow.TryGetState(record.State, out var state) || state.Sla is not { } targets || !targets.TryGetValue(priority, out var target)) return null;
                var entered = history.Segments[^1].From;
                return SlaClock.Compute(calendar, calendar.WorkingTime(target), warnAt, entered, [], null, now);
            }
        }
    }

    // The start of the trailing run of resolved/final segments: when the case was (last) resolved.
    private static DateTimeOffset ResolvedSince(IReadOnlyList<Segment> segments)
    {
        var i = segments.Count - 1;
        while (i > 0 && segments[i - 1].Kind is StateKind.Resolved or StateKind.Final) i--;
        return segments[i].From;
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    private sealed record Segment(string State, StateKind Kind, DateTimeOffset From, DateTimeOffset? To);

    private sealed class CaseHistory(List<Segment> segments, DateTimeOffset? firstStaffResponse)
    {
        public IReadOnlyList<Segment> Segments => segments;
        public DateTimeOffset? FirstStaffResponse => firstStaffResponse;

        /// <summary>Waiting on the merchant stops every clock; for resolution, so does a resolved spell that was reopened.</summary>
        public IEnumerable<SlaPause> Pauses(bool includeResolved) => segments
            .Where(s => s.Kind == StateKind.WaitingOnMerchant || (includeResolved && s.To is not null && s.Kind == StateKind.Resolved))
            .Select(s => new SlaPause(s.From, s.To));
    }

    private static CaseHistory History(CaseRecord record, WorkflowDefinition workflow, IReadOnlyList<SlaEvent> events)
    {
        var segments = new List<Segment>();
        DateTimeOffset? firstResponse = null;
        void Enter(string state, DateTimeOffset at)
        {
            if (segments.Count > 0)
            {
                if (segments[^1].State == state) return;
                segments[^1] = segments[^1] with { To = at };
            }
            segments.Add(new Segment(state, KindOf(workflow, state, record), at, null));
        }

        foreach (var e in events)
        {
            switch (e.Kind)
            {
                case "opened": Enter(Read(e.Data, "state") ?? record.State, e.At); break;
                case "transition": if (Read(e.Data, "to") is { } to) Enter(to, e.At); break;
                case "workflow-migrated": if (Read(e.Data, "toState") is { } moved) Enter(moved, e.At); break;
            }
            // An agent opening a case by phone has not answered the merchant yet.
            if (firstResponse is null && e.Kind != "opened" && e.Visibility == "merchant" && e.Actor is "agent" or "supervisor") firstResponse = e.At;
        }
        if (segments.Count == 0) segments.Add(new Segment(record.State, KindOf(workflow, record.State, record), record.OpenedAt, null));
        return new CaseHistory(segments, firstResponse);
    }

    // A state the current version no longer has (the case moved versions) counts as active: time on us, never paused.
    private static StateKind KindOf(WorkflowDefinition workflow, string state, CaseRecord record) =>
        workflow.TryGetState(state, out var definition) ? definition.Kind
        : state == record.State ? ParseKind(record.StateKind) : StateKind.Active;

    private static StateKind ParseKind(string kind) => kind switch
    {
        "waiting-on-merchant" => StateKind.WaitingOnMerchant,
        "resolved" => StateKind.Resolved,
        "final" => StateKind.Final,
        _ => StateKind.Active,
    };

    private static string? Read(string json, string property)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    /// <summary>The events of one case, for <see cref="Compute(CaseRecord, WorkflowDefinition, IReadOnlyList{SlaEvent}, BusinessCalendar, DateTimeOffset)"/>.</summary>
    public static async Task<IReadOnlyList<SlaEvent>> ReadEventsAsync(CaseSession session, Guid caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        return (await session.QueryAsync<SlaEvent>(EventsSql, new { caseId }, cancellationToken).ConfigureAwait(false)).ToList();
    }
}
