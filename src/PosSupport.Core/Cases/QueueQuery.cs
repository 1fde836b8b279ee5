using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Dapper;
using FluentValidation;
using MediatR;
using PosSupport.Core.Data;
using PosSupport.Core.FollowUps;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Privacy;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Cases;

/// <summary>
/// The dashboard's case queue (staff only): filtered, newest change first, a keyset page at a time, with the queue
/// counts beside it. Each filter is served by an index that already yields rows in queue order (db/*/0004_queries.sql).
/// </summary>
public static class QueueQuery
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 100;
    public const string Unassigned = "unassigned";

    /// <param name="Type">A workflow id, e.g. <c>data-fee-cancellation</c>.</param>
    /// <param name="Assignee">A user id, or <see cref="Unassigned"/>.</param>
    /// <param name="Escalated">Escalated at some point (tier above 0) or in the <c>escalated</c> state now.</param>
    /// <param name="OpenOnly">Leave out closed cases (state kind <c>final</c>); resolved cases count as open.</param>
    /// <param name="Search">Part of a case number, merchant name or device serial number, or the merchant phone's last 4 digits.</param>
    /// <param name="Cursor">The previous page's <see cref="Result.NextCursor"/>.</param>
    /// <param name="MyUserId">Whose cases <see cref="QueueCounts.Mine"/> counts; by default the caller's.</param>
    /// <param name="Priority"><c>low</c>, <c>normal</c>, <c>high</c> or <c>urgent</c>.</param>
    /// <param name="SlaAtRisk">An SLA warning has fired, no breach yet, and a clock still runs toward its breach.</param>
    /// <param name="SlaBreached">An SLA breach has fired on the case (a <c>sla-breached</c> timeline event).</param>
    /// <param name="WithCounts">
    /// Count the standard queues too, exactly and in the same round trip. The dashboard leaves this off and asks
    /// <see cref="GetQueueCounts"/>, whose counts may be a few seconds old, so that the page is never slower than its rows.
    /// </param>
    public sealed record Query(
        Caller Caller,
        string? State = null,
        string? Type = null,
        string? Assignee = null,
        bool WaitingOnMerchant = false,
        bool Escalated = false,
        bool OpenOnly = true,
        string? Search = null,
        string? Cursor = null,
        int PageSize = DefaultPageSize,
        Guid? MyUserId = null,
        string? Priority = null,
        bool SlaAtRisk = false,
        bool SlaBreached = false,
        bool WithCounts = true) : IQuery<Result>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator(WorkflowCatalog catalog)
        {
            RuleFor(q => q.Caller).NotNull();
            RuleFor(q => q.State).MaximumLength(100);
            RuleFor(q => q.Type).Must(t => t is null || catalog.TryGetNewest(t, out _)).WithMessage("'{PropertyValue}' is not a case type.");
            RuleFor(q => q.Assignee).Must(a => a is null or Unassigned || Guid.TryParse(a, out _))
                .WithMessage($"The assignee is a user id or '{Unassigned}'.");
            RuleFor(q => q.Search).MaximumLength(100);
            RuleFor(q => q.Cursor).Must(c => c is null || QueueCursor.TryDecode(c, out _)).WithMessage("This is not a cursor of the queue.");
            RuleFor(q => q.PageSize).InclusiveBetween(1, MaxPageSize);
            RuleFor(q => q.MyUserId).NotEqual(Guid.Empty);
            RuleFor(q => q.Priority).Must(p => p is null or "low" or "normal" or "high" or "urgent")
                .WithMessage("Priority must be low, normal, high or urgent.");
        }
    }

    /// <param name="NextCursor">Opaque; pass as <see cref="Query.Cursor"/> for the next page. Null on the last page.</param>
    /// <param name="Counts">With <see cref="Query.WithCounts"/>; otherwise null.</param>
    public sealed record Result(IReadOnlyList<QueueRow> Rows, string? NextCursor, QueueCounts? Counts);

    /// <param name="Sla">The nearest SLA breach (business time left, or overdue); null when no clock runs (met, paused, closed).</param>
    public sealed record QueueRow(
        Guid Id, string Number, string Type, LocalizedText WorkflowTitle, string State, string StateKind, LocalizedText StateTitle,
        string Priority, int EscalationTier, string MerchantName, string MaskedPhone, string? DeviceSerial, Guid? AssigneeId,
        string? AssigneeName, DateTimeOffset UpdatedAt, DateTimeOffset OpenedAt, long Version, SlaSummary? Sla = null);

    /// <summary>Sizes of the standard queues over all open cases (whatever the filters): the dashboard's badges.</summary>
    public sealed record QueueCounts(long Mine, long Unassigned, long WaitingOnMerchant, long Escalated, long AllOpen, long SlaAtRisk = 0, long SlaBreached = 0);

    private const string Open = CaseLists.Open;

    // ix_cases_waiting's and ix_cases_escalated's predicates, word for word.
    private const string Waiting = "c.state_kind = 'waiting-on-merchant'";
    private const string Escalation = "(c.escalation_tier > 0 OR c.state = 'escalated')";

    // What FireFollowUp records: an 'sla-warning' or 'sla-breached' timeline event per clock, and the clock's 'sla-breach'
    // follow-up row stays pending until it fires. Each EXISTS is served by a partial index on its event kind
    // (db/*/0009_admin.sql) or by ix_follow_ups_pending_case; the predicates repeat the indexes' word for word.
    private const string Breached = "EXISTS (SELECT 1 FROM case_events sb WHERE sb.case_id = c.id AND sb.kind = 'sla-breached')";

    private const string AtRisk = $"""
        EXISTS (SELECT 1 FROM case_events sw WHERE sw.case_id = c.id AND sw.kind = 'sla-warning')
        AND NOT {Breached}
        AND EXISTS (SELECT 1 FROM follow_ups sf WHERE sf.case_id = c.id AND sf.status = 'pending' AND sf.kind = 'sla-breach')
        """;

    // Counts read the open cases' partial indexes only (never the closed majority), each spelling its index's predicate
    // word for word. On SQLite the open and waiting indexes end with state_kind, so that counting them reads no row.

    /// <summary>The size of one user's queue ("My cases"): an index range of their open cases.</summary>
    internal const string MineCountSql = $"SELECT COUNT(*) FROM cases c WHERE c.assignee_id = @me AND {Open}";

    // The queues that are the same for every user.
    private static readonly (string Name, string Sql)[] SharedCounts =
    [
        ("Unassigned", $"SELECT COUNT(*) FROM cases c WHERE c.assignee_id IS NULL AND {Open}"),
        ("WaitingOnMerchant", $"SELECT COUNT(*) FROM cases c WHERE {Waiting}"),
        ("Escalated", $"SELECT COUNT(*) FROM cases c WHERE {Open} AND {Escalation}"),
        ("AllOpen", $"SELECT COUNT(*) FROM cases c WHERE {Open}"),
        ("SlaAtRisk", $"SELECT COUNT(*) FROM cases c WHERE {Open} AND {AtRisk}"),
        ("SlaBreached", $"SELECT COUNT(*) FROM cases c WHERE {Open} AND {Breached}"),
    ];

    /// <summary>Every queue's size in one row (<see cref="CountsRow"/>), "My cases" for <c>@me</c>.</summary>
    internal static readonly string CountsSql =
        "SELECT " + string.Join(",\n       ", [$"({MineCountSql}) AS Mine", .. SharedCounts.Select(c => $"({c.Sql}) AS {c.Name}")]);

    /// <summary>The queues' sizes but "My cases" (which stays 0) in one row: what every user sees alike.</summary>
    internal static readonly string SharedCountsSql =
        "SELECT " + string.Join(",\n       ", ["0 AS Mine", .. SharedCounts.Select(c => $"({c.Sql}) AS {c.Name}")]);

    /// <summary>The page's SQL for this query: constant fragments chosen by the filters, values only as parameters.</summary>
    internal static (string Sql, DynamicParameters Parameters) PageSql(Query query, DatabaseProvider provider)
    {
        var where = new List<string>();
        var parameters = new DynamicParameters();
        // Only open cases wait on the merchant or are at risk of or past their SLA, even with closed ones asked for.
        var openOnly = query.OpenOnly || query.WaitingOnMerchant || query.SlaAtRisk || query.SlaBreached;
        if (query.State is { } state) { where.Add("c.state = @state"); parameters.Add("state", state); }
        if (query.Type is { } type) { where.Add("c.workflow_id = @type"); parameters.Add("type", type); }
        if (query.Priority is { } priority) { where.Add("c.priority = @priority"); parameters.Add("priority", priority); }
        if (query.Assignee == Unassigned) where.Add("c.assignee_id IS NULL");
        else if (query.Assignee is { } assignee) { where.Add("c.assignee_id = @assignee"); parameters.Add("assignee", Guid.Parse(assignee)); }
        if (query.WaitingOnMerchant) where.Add(Waiting);
        if (query.Escalated) where.Add(Escalation);
        if (query.SlaAtRisk) where.Add($"({AtRisk})");
        if (query.SlaBreached) where.Add(Breached);
        if (query.Search?.Trim() is { Length: > 0 } search)
        {
            parameters.Add("pattern", SqlDialect.ContainsPattern(search));
            var phone = search.Length == 4 && search.All(char.IsAsciiDigit);
            if (phone) parameters.Add("last4", search);
            // Filtered while walking the queue-ordered index: a page stops after 51 hits, and a rare term costs at most
            // one pass over the open cases. Merchants and devices are matched once each, as small sets.
            where.Add($"""
                ({provider.ContainsIgnoringCase("c.number", "@pattern")}
                 OR c.merchant_id IN (SELECT sm.id FROM merchants sm
                                       WHERE {provider.ContainsIgnoringCase("sm.name", "@pattern")}{(phone ? " OR substr(sm.phone, length(sm.phone) - 3) = @last4" : "")})
                 OR c.device_id IN (SELECT sd.id FROM devices sd WHERE {provider.ContainsIgnoringCase("sd.serial_number", "@pattern")}))
                """);
        }
        if (query.Cursor is { } cursor)
        {
            var after = QueueCursor.Decode(cursor);
            where.Add("(c.updated_at, c.id) < (@cursorAt, @cursorId)");
            parameters.Add("cursorAt", after.UpdatedAt);
            parameters.Add("cursorId", after.Id);
        }
        parameters.Add("take", query.PageSize + 1);
        return (openOnly ? Page(Open) : CaseLists.OpenAndClosed(Page), parameters);

        // The page of one kind of case (open or closed), in the order of that kind's indexes.
        string Page(string kind) => $"""
            SELECT c.id AS Id, c.number AS Number, c.workflow_id AS WorkflowId, c.workflow_version AS WorkflowVersion, c.state AS State,
                   c.state_kind AS StateKind, c.priority AS Priority, c.escalation_tier AS EscalationTier, c.version AS Version,
                   m.name AS MerchantName, m.phone AS MerchantPhone, d.serial_number AS DeviceSerial, c.assignee_id AS AssigneeId,
                   u.display_name AS AssigneeName, c.updated_at AS UpdatedAt, c.opened_at AS OpenedAt
              FROM cases c
              JOIN merchants m ON m.id = c.merchant_id
              LEFT JOIN devices d ON d.id = c.device_id
              LEFT JOIN users u ON u.id = c.assignee_id
             WHERE {string.Join("\n   AND ", [kind, .. where])}
             ORDER BY c.updated_at DESC, c.id DESC
             LIMIT @take
            """;
    }

    public sealed class Handler(CaseSession session, WorkflowCatalog catalog, BusinessCalendar calendar, TimeProvider clock) : IRequestHandler<Query, Result>
    {
        public async Task<Result> Handle(Query request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (!request.Caller.IsStaff) throw new ForbiddenException("Only agents and supervisors see the case queue.");

            var (sql, parameters) = PageSql(request, session.Provider);
            var me = request.MyUserId ?? (Guid.TryParse(request.Caller.Id, out var id) ? id : Guid.Empty);
            parameters.Add("me", me);
            List<Row> rows;
            QueueCounts? counts = null;
            if (request.WithCounts)
            {
                await using var grid = await session.QueryMultipleAsync(sql + ";\n" + CountsSql, parameters, cancellationToken).ConfigureAwait(false);
                rows = (await grid.ReadAsync<Row>().ConfigureAwait(false)).ToList();
                counts = (await grid.ReadSingleAsync<CountsRow>().ConfigureAwait(false)).ToCounts();
            }
            else
            {
                rows = (await session.QueryAsync<Row>(sql, parameters, cancellationToken).ConfigureAwait(false)).ToList();
            }

            var more = rows.Count > request.PageSize;
            if (more) rows.RemoveAt(rows.Count - 1);
            // The page's SLA clocks: one more query, for the rows shown only.
            var sla = await QueueSlaClocks.ReadAsync(session, rows.Select(r => new CaseRecord
            {
                Id = r.Id, WorkflowId = r.WorkflowId, WorkflowVersion = r.WorkflowVersion, State = r.State, StateKind = r.StateKind, Priority = r.Priority,
                OpenedAt = r.OpenedAt, UpdatedAt = r.UpdatedAt,
            }).ToList(), catalog, calendar, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            return new Result(rows.Select(r => ToView(r) with { Sla = sla.GetValueOrDefault(r.Id) }).ToList(),
                more ? QueueCursor.Encode(rows[^1].UpdatedAt, rows[^1].Id) : null, counts);
        }

        private QueueRow ToView(Row r)
        {
            var known = catalog.TryGet(r.WorkflowId, r.WorkflowVersion, out var workflow);
            var workflowTitle = known ? workflow.Title : new LocalizedText(r.WorkflowId, r.WorkflowId);
            var stateTitle = known && workflow.TryGetState(r.State, out var state) ? state.Title : new LocalizedText(r.State, r.State);
            return new QueueRow(r.Id, r.Number, r.WorkflowId, workflowTitle, r.State, r.StateKind, stateTitle, r.Priority, r.EscalationTier,
                r.MerchantName, Masking.Phone(r.MerchantPhone), r.DeviceSerial, r.AssigneeId, r.AssigneeName, r.UpdatedAt, r.OpenedAt, r.Version);
        }

        private sealed class Row
        {
            public Guid Id { get; set; }
            public string Number { get; set; } = "";
            public string WorkflowId { get; set; } = "";
            public int WorkflowVersion { get; set; }
            public string State { get; set; } = "";
            public string StateKind { get; set; } = "";
            public string Priority { get; set; } = "";
            public int EscalationTier { get; set; }
            public long Version { get; set; }
            public string MerchantName { get; set; } = "";
            public string MerchantPhone { get; set; } = "";
            public string? DeviceSerial { get; set; }
            public Guid? AssigneeId { get; set; }
            public string? AssigneeName { get; set; }
            public DateTimeOffset UpdatedAt { get; set; }
            public DateTimeOffset OpenedAt { get; set; }
        }
    }

    /// <summary>One row of <see cref="CountsSql"/>.</summary>
    internal sealed class CountsRow
    {
        public long Mine { get; set; }
        public long Unassigned { get; set; }
        public long WaitingOnMerchant { get; set; }
        public long Escalated { get; set; }
        public long AllOpen { get; set; }
        public long SlaAtRisk { get; set; }
        public long SlaBreached { get; set; }

        public QueueCounts ToCounts() => new(Mine, Unassigned, WaitingOnMerchant, Escalated, AllOpen, SlaAtRisk, SlaBreached);
    }
}

/// <summary>The queue's keyset position (updated_at, id of the last row shown), as an opaque URL-safe string.</summary>
internal static class QueueCursor
{
    public static string Encode(DateTimeOffset updatedAt, Guid id) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{updatedAt.UtcTicks}.{id:N}")));

    public static (DateTimeOffset UpdatedAt, Guid Id) Decode(string cursor) =>
        TryDecode(cursor, out var position) ? position : throw new FormatException("Not a queue cursor.");

    public static bool TryDecode(string cursor, out (DateTimeOffset UpdatedAt, Guid Id) position)
    {
        position = default;
        if (cursor.Length > 100 || !Base64Url.IsValid(cursor)) return false;
        var parts = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor)).Split('.');
        if (parts.Length != 2
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks
            || !Guid.TryParseExact(parts[1], "N", out var id)) return false;
        position = (new DateTimeOffset(ticks, TimeSpan.Zero), id);
        return true;
    }
}
