using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using FluentValidation;
using MediatR;
using PosSupport.Core.Cases;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Privacy;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Webhooks;

/// <summary>
/// Turns a case's merchant-visible timeline events not yet seen into webhook deliveries for the channel that opened the
/// case, when that client has a webhook URL. A cursor per case (the last timeline sequence number read) makes it safe to
/// run any number of times: each event becomes its deliveries once. Every write transaction that changes a case runs it
/// before committing (<see cref="UnitOfWork"/>), so a change and its deliveries commit together; the sweeper runs it for
/// cases left behind by older versions. With nothing new to read, or no URL to send to, it writes nothing.
/// </summary>
public static class QueueWebhooks
{
    /// <param name="CaseLocked">
    /// Whether the transaction already holds the case's row (it changed the case); otherwise the row is locked first, so
    /// that two runs for one case do not read the same events.
    /// </param>
    public sealed record Command(Guid CaseId, bool CaseLocked = false) : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator() => RuleFor(c => c.CaseId).NotEmpty();
    }

    /// <param name="DeliveryIds">The deliveries created now, to hand to the delivery job.</param>
    public sealed record Result(IReadOnlyList<Guid> DeliveryIds);

    public sealed class Handler(CaseStore store, CaseSession session, WorkflowCatalog catalog, TimeProvider clock, SilentClients silent) : IRequestHandler<Command, Result>
    {
        private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            CaseRecord? record = null;
            if (!request.CaseLocked)
            {
                // Serialises twins of this request on the case row (PostgreSQL); SQLite has one writer anyway.
                record = await store.LoadLockedAsync(request.CaseId, cancellationToken).ConfigureAwait(false);
            }
            var head = await session.QuerySingleOrDefaultAsync<Head>(HeadSql, new { id = request.CaseId }, cancellationToken).ConfigureAwait(false)
                       ?? throw new NotFoundException("Case", request.CaseId.ToString("D"));
            var last = head.LastSeq ?? 0;
            // No one to tell, and nothing written: a client's webhook URL is given when the client is created and never
            // changes, so a client without one (or revoked) never needs these events. A way to add a URL later would have
            // to move the cursors of the client's cases to their newest events first, or the URL would get their history.
            if (head.ClientId is { } client && head.Hook is null) silent.Add(client);
            if (head.ClientId is not { } clientId || head.Hook is null || (head.MaxSeq ?? 0) <= last) return new Result([]);

            record ??= await store.LoadAsync(request.CaseId, cancellationToken).ConfigureAwait(false);
            var events = (await session.QueryAsync<EventRow>(Events, new { id = record.Id, last }, cancellationToken).ConfigureAwait(false)).ToList();
            var created = new List<Guid>();
            var workflow = catalog.Get(record.WorkflowId, record.WorkflowVersion);
            var now = clock.GetUtcNow();
            foreach (var row in events)
            {
                using var document = JsonDocument.Parse(row.Data);
                var occurrences = WebhookEvents.Of(row.Seq, row.Kind, document.RootElement, workflow).ToList();
                // An offer above the agent's authority reaches the merchant when a supervisor approves it, not when it is proposed.
                if (row.Kind == "transition" && document.RootElement.TryGetProperty("trigger", out var trigger) && trigger.GetString() == "approve-offer"
                    && await session.QuerySingleOrDefaultAsync<OfferRecord>(ApprovedOffer, new { id = record.Id }, cancellationToken).ConfigureAwait(false) is { } offer)
                    occurrences.Add(new WebhookEvents.Occurrence(WebhookEvents.OfferCreated, row.Seq,
                        new { offerId = offer.Id, kind = offer.Kind, amountFen = offer.AmountFen, expiresAt = offer.ExpiresAt }));
                foreach (var e in occurrences)
                {
                    var id = Guid.CreateVersion7(now);
                    // Free text in messages is masked as everywhere else the API shows it.
                    var payload = Masking.Text(JsonSerializer.Serialize(new
                    {
                        id, type = e.Type, occurredAt = row.At, caseId = record.Id, caseNumber = record.Number, conversationId = record.ConversationId,
                        data = e.Data,
                    }, Json));
                    var inserted = await session.ExecuteAsync(Insert, new
                    {
                        id, clientId, caseId = record.Id, type = e.Type, sourceKey = $"{record.Id:N}:{e.Seq}:{e.Type}", payload, now,
                    }, cancellationToken).ConfigureAwait(false);
                    if (inserted == 1) created.Add(id);
                }
            }
            await session.ExecuteAsync(Cursor, new { id = record.Id, last = head.MaxSeq }, cancellationToken).ConfigureAwait(false);
            return new Result(created);
        }

        // The case's channel client and its webhook URL, how far its events were read, and its newest event.
        private const string HeadSql = """
            SELECT c.channel_client_id AS ClientId, a.webhook_url AS Hook, w.last_seq AS LastSeq,
                   (SELECT MAX(e.seq) FROM case_events e WHERE e.case_id = c.id) AS MaxSeq
              FROM cases c
              LEFT JOIN api_clients a ON a.id = c.channel_client_id AND a.revoked_at IS NULL
              LEFT JOIN webhook_cursors w ON w.case_id = c.id
             WHERE c.id = @id
            """;

        private sealed class Head
        {
            public Guid? ClientId { get; set; }
            public string? Hook { get; set; }
            public long? LastSeq { get; set; }
            public long? MaxSeq { get; set; }
        }

        private const string ApprovedOffer =
            $"SELECT {OfferRecord.Columns} FROM offers WHERE case_id = @id AND approver_id IS NOT NULL ORDER BY proposed_at DESC LIMIT 1";

        private const string Events = """
            SELECT seq AS Seq, kind AS Kind, at AS At, data AS Data FROM case_events
             WHERE case_id = @id AND seq > @last AND visibility = 'merchant' ORDER BY seq
            """;

        private const string Insert = """
            INSERT INTO webhook_deliveries (id, client_id, case_id, event_type, source_key, payload, status, attempts, next_attempt_at, created_at)
            VALUES (@id, @clientId, @caseId, @type, @sourceKey, @payload, 'pending', 0, @now, @now)
            ON CONFLICT (client_id, source_key) DO NOTHING
            """;

        private const string Cursor = """
            INSERT INTO webhook_cursors (case_id, last_seq) VALUES (@id, @last)
            ON CONFLICT (case_id) DO UPDATE SET last_seq = excluded.last_seq
            """;

        private sealed class EventRow
        {
            public long Seq { get; set; }
            public string Kind { get; set; } = "";
            public DateTimeOffset At { get; set; }
            public string Data { get; set; } = "{}";
        }
    }
}

/// <summary>Published after commit with the webhook deliveries the transaction created, for the delivery job to send.</summary>
public sealed record WebhooksQueued(IReadOnlyList<Guid> DeliveryIds) : INotification;
