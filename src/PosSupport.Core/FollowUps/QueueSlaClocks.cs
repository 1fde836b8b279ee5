using System.Globalization;
using System.Text.Json;
using Dapper;
using PosSupport.Core.Cases;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.FollowUps;

/// <summary>How close a case is to breaching an SLA, for a list: <see cref="Breached"/>, <see cref="AtRisk"/> (warned) or <see cref="Normal"/>.</summary>
public enum SlaRisk { Normal, AtRisk, Breached }

/// <summary>
/// A case's nearest SLA breach in one figure: the business time left until it (<see cref="Left"/>), or, when
/// <see cref="Risk"/> is <see cref="SlaRisk.Breached"/>, how long ago it was. No summary at all means no clock runs now
/// (all met, or paused while the case waits on the merchant).
/// </summary>
public sealed record SlaSummary(SlaRisk Risk, TimeSpan Left);

/// <summary>
/// The SLA clocks of a page of cases, read in one query for the whole page and computed exactly as the case page's
/// (<see cref="CaseSla"/>), then summed up per case. Only the page's open cases are read: cost grows with the page, never
/// with the queue.
/// </summary>
public static class QueueSlaClocks
{
    private sealed class EventRow
    {
        public Guid CaseId { get; set; }
        public string Kind { get; set; } = "";
        public string Actor { get; set; } = "";
        public string Visibility { get; set; } = "";
        public DateTimeOffset At { get; set; }
        public string Data { get; set; } = "";
    }

    /// <summary>The summary of each open case of <paramref name="cases"/> that has a running or breached clock.</summary>
    public static async Task<IReadOnlyDictionary<Guid, SlaSummary>> ReadAsync(CaseSession session, IReadOnlyList<CaseRecord> cases,
        WorkflowCatalog catalog, BusinessCalendar calendar, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(catalog);
        var open = cases.Where(c => c.StateKind is "active" or "waiting-on-merchant").ToList();
        var summaries = new Dictionary<Guid, SlaSummary>();
        if (open.Count == 0) return summaries;

        // One parameter per case of the page (at most a page's worth): the SQL text is constant per page size.
        var parameters = new DynamicParameters();
        for (var i = 0; i < open.Count; i++) parameters.Add("c" + i.ToString(CultureInfo.InvariantCulture), open[i].Id);
        var ids = string.Join(", ", Enumerable.Range(0, open.Count).Select(i => "@c" + i.ToString(CultureInfo.InvariantCulture)));
        var sql = $"""
            SELECT case_id AS CaseId, kind AS Kind, actor AS Actor, visibility AS Visibility, at AS At, data AS Data
              FROM case_events
             WHERE case_id IN ({ids})
               AND ({CaseSla.EventFilter} OR kind IN ('sla-warning', 'sla-breached'))
             ORDER BY case_id, seq
            """;
        var events = (await session.QueryAsync<EventRow>(sql, parameters, cancellationToken).ConfigureAwait(false)).ToLookup(e => e.CaseId);

        foreach (var record in open)
        {
            if (!catalog.TryGet(record.WorkflowId, record.WorkflowVersion, out var workflow)) continue;
            var mine = events[record.Id].ToList();
            var clockEvents = mine.Where(e => e.Kind is not ("sla-warning" or "sla-breached"))
                .Select(e => new SlaEvent { Kind = e.Kind, Actor = e.Actor, Visibility = e.Visibility, At = e.At, Data = e.Data }).ToList();
            var clocks = CaseSla.Compute(record, workflow, clockEvents, calendar, now);
            if (Summarize(clocks, Fired(mine, "sla-warning"), Fired(mine, "sla-breached")) is { } summary) summaries[record.Id] = summary;
        }
        return summaries;
    }

    /// <summary>
    /// The nearest breach among <paramref name="clocks"/>: a breached clock (computed, or its breach fired) wins, by how long it is
    /// overdue; else the running clock with the least time left, at risk when any running clock is warned (its warning fired
    /// or it is past the warning threshold). Null when no clock runs. Fired events name the case-wide clocks they fired for.
    /// </summary>
    public static SlaSummary? Summarize(IReadOnlyList<SlaView> clocks, IReadOnlySet<string> warningsFired, IReadOnlySet<string> breachesFired)
    {
        ArgumentNullException.ThrowIfNull(clocks);
        ArgumentNullException.ThrowIfNull(warningsFired);
        ArgumentNullException.ThrowIfNull(breachesFired);
        var unmet = clocks.Where(c => !c.Status.IsMet).ToList();
        var breached = unmet.Where(c => c.Status.IsBreached || (c.Clock != SlaClockKind.State && breachesFired.Contains(c.Key))).ToList();
        if (breached.Count > 0)
            return new SlaSummary(SlaRisk.Breached, breached.Max(c => c.Status.Elapsed > c.Status.Target ? c.Status.Elapsed - c.Status.Target : TimeSpan.Zero));
        var running = unmet.Where(c => !c.Status.IsPaused).ToList();
        if (running.Count == 0) return null;
        var warned = running.Any(c => c.Status.IsWarned || (c.Clock != SlaClockKind.State && warningsFired.Contains(c.Key)));
        return new SlaSummary(warned ? SlaRisk.AtRisk : SlaRisk.Normal, running.Min(c => c.Status.Remaining));
    }

    // The case-wide clocks ("scope": "*") a follow-up job recorded a warning or breach for.
    private static HashSet<string> Fired(List<EventRow> events, string kind)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in events.Where(e => e.Kind == kind))
        {
            using var document = JsonDocument.Parse(e.Data);
            var root = document.RootElement;
            if (root.TryGetProperty("scope", out var scope) && scope.GetString() == CaseSla.CaseScope
                && root.TryGetProperty("clock", out var clock) && clock.GetString() is { } key)
                keys.Add(key);
        }
        return keys;
    }
}
