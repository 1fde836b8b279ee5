using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Dapper;

namespace PosSupport.Testing;

/// <summary>
/// What the database holds after a fault scenario, read with plain SQL (the checker does not trust the product's own
/// reads): cases, their timelines, messages, evidence, follow-ups and webhook deliveries. Ids are read as whatever the
/// provider stores (uuid, or text on SQLite) and compared as <see cref="Guid"/>.
/// </summary>
public sealed class StoreSnapshot
{
    public sealed record StoredCase(Guid Id, string WorkflowId, string State, long Version);

    public sealed record TimelineEvent(Guid CaseId, long Seq, string Kind, string? ActorId, JsonElement Data)
    {
        public string? Text(string property) =>
            Data.ValueKind == JsonValueKind.Object && Data.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    /// <param name="JobId">The clock's job the row names (null while unarmed); for failure messages.</param>
    /// <param name="DueAt">The row's due instant as the database prints it; for failure messages.</param>
    public sealed record FollowUp(Guid Id, Guid CaseId, string State, string Kind, string? Template, string Status, long Attempt,
        string? JobId = null, string? DueAt = null);

    public sealed record Delivery(Guid Id, Guid ClientId, Guid CaseId, string EventType, string SourceKey, string Status);

    public required IReadOnlyDictionary<Guid, StoredCase> Cases { get; init; }

    /// <summary>Each case's timeline in sequence order.</summary>
    public required IReadOnlyDictionary<Guid, IReadOnlyList<TimelineEvent>> Timelines { get; init; }

    /// <summary>Message id → case id.</summary>
    public required IReadOnlyDictionary<Guid, Guid> Messages { get; init; }

    /// <summary>Evidence id → (case id, status).</summary>
    public required IReadOnlyDictionary<Guid, (Guid CaseId, string Status)> Evidence { get; init; }

    public required IReadOnlyList<FollowUp> FollowUps { get; init; }

    public required IReadOnlyList<Delivery> Deliveries { get; init; }

    public IReadOnlyList<TimelineEvent> TimelineOf(Guid caseId) => Timelines.TryGetValue(caseId, out var events) ? events : [];

    /// <summary>Reminders with <paramref name="template"/> the follow-up clock put on a case's timeline.</summary>
    public int RemindersOn(Guid caseId, string template) =>
        TimelineOf(caseId).Count(e => e.Kind == "message-queued" && e.ActorId == "follow-up" && e.Text("template") == template);

    public static async Task<StoreSnapshot> ReadAsync(DbConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var cases = (await connection.QueryAsync<CaseRow>("SELECT id AS Id, workflow_id AS WorkflowId, state AS State, version AS Version FROM cases")
            .ConfigureAwait(false)).Select(r => new StoredCase(IdOf(r.Id), r.WorkflowId, r.State, r.Version)).ToDictionary(c => c.Id);
        var events = (await connection.QueryAsync<EventRow>(
                "SELECT case_id AS CaseId, seq AS Seq, kind AS Kind, actor_id AS ActorId, data AS Data FROM case_events ORDER BY case_id, seq").ConfigureAwait(false))
            .Select(r => new TimelineEvent(IdOf(r.CaseId), r.Seq, r.Kind, r.ActorId, Parse(r.Data)))
            .GroupBy(e => e.CaseId).ToDictionary(g => g.Key, g => (IReadOnlyList<TimelineEvent>)g.OrderBy(e => e.Seq).ToList());
        var messages = (await connection.QueryAsync<PairRow>("SELECT id AS Id, case_id AS CaseId FROM case_messages").ConfigureAwait(false))
            .ToDictionary(r => IdOf(r.Id), r => IdOf(r.CaseId));
        var evidence = (await connection.QueryAsync<PairRow>("SELECT id AS Id, case_id AS CaseId, status AS Status FROM evidence_items").ConfigureAwait(false))
            .ToDictionary(r => IdOf(r.Id), r => (IdOf(r.CaseId), r.Status ?? ""));
        var followUps = (await connection.QueryAsync<FollowUpRow>("""
                SELECT id AS Id, case_id AS CaseId, state AS State, kind AS Kind, template AS Template, status AS Status, attempt AS Attempt,
                       job_id AS JobId, CAST(due_at AS TEXT) AS DueAt
                  FROM follow_ups
                """).ConfigureAwait(false))
            .Select(r => new FollowUp(IdOf(r.Id), IdOf(r.CaseId), r.State, r.Kind, r.Template, r.Status, r.Attempt, r.JobId, r.DueAt)).ToList();
        var deliveries = (await connection.QueryAsync<DeliveryRow>("""
                SELECT id AS Id, client_id AS ClientId, case_id AS CaseId, event_type AS EventType, source_key AS SourceKey, status AS Status FROM webhook_deliveries
                """).ConfigureAwait(false))
            .Select(r => new Delivery(IdOf(r.Id), IdOf(r.ClientId), IdOf(r.CaseId), r.EventType, r.SourceKey, r.Status)).ToList();
        return new StoreSnapshot
        {
            Cases = cases, Timelines = events, Messages = messages, Evidence = evidence, FollowUps = followUps, Deliveries = deliveries,
        };
    }

    /// <summary>A uuid (PostgreSQL) or its text (SQLite) as a <see cref="Guid"/>.</summary>
    public static Guid IdOf(object value) => value switch
    {
        Guid guid => guid,
        string text => Guid.Parse(text),
        byte[] bytes => new Guid(bytes),
        _ => throw new InvalidOperationException($"Not an id: {Convert.ToString(value, CultureInfo.InvariantCulture)}"),
    };

    private static JsonElement Parse(string data)
    {
        using var document = JsonDocument.Parse(data);
        return document.RootElement.Clone();
    }

    private sealed class CaseRow
    {
        public object Id { get; set; } = "";
        public string WorkflowId { get; set; } = "";
        public string State { get; set; } = "";
        public long Version { get; set; }
    }

    private sealed class EventRow
    {
        public object CaseId { get; set; } = "";
        public long Seq { get; set; }
        public string Kind { get; set; } = "";
        public string? ActorId { get; set; }
        public string Data { get; set; } = "{}";
    }

    private sealed class PairRow
    {
        public object Id { get; set; } = "";
        public object CaseId { get; set; } = "";
        public string? Status { get; set; }
    }

    private sealed class FollowUpRow
    {
        public object Id { get; set; } = "";
        public object CaseId { get; set; } = "";
        public string State { get; set; } = "";
        public string Kind { get; set; } = "";
        public string? Template { get; set; }
        public string Status { get; set; } = "";
        public long Attempt { get; set; }
        public string? JobId { get; set; }
        public string? DueAt { get; set; }
    }

    private sealed class DeliveryRow
    {
        public object Id { get; set; } = "";
        public object ClientId { get; set; } = "";
        public object CaseId { get; set; } = "";
        public string EventType { get; set; } = "";
        public string SourceKey { get; set; } = "";
        public string Status { get; set; } = "";
    }
}
