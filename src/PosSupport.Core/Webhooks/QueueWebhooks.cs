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
/// run any number of times: each event becomes its deliveries once.
/// </summary>
public static class QueueWebhooks
{
    public sealed record Command(Guid CaseId) : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator() => RuleFor(c => c.CaseId).NotEmpty();
    }

    /// <param name="DeliveryIds">The deliveries created now, to hand to the delivery job.</param>
    public sealed record Result(IReadOnlyList<Guid> DeliveryIds);

    public sealed class Handler(CaseStore store, CaseSession session, WorkflowCatalog catalog, TimeProvider clock) : IRequestHandler<Command, Result>
    {
        private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            var record = await store.LoadAsync(request.CaseId, cancellationToken).ConfigureAwait(false);
            if (record.ChannelClientId is not { } clientId) return new Result([]);
            // Serialises twins of this request on the case row (PostgreSQL); SQLite has one writer anyway.
            await store.LockAsync(record, cancellationToken).ConfigureAwait(false);
            var hook = await session.ExecuteScalarAsync<string?>("SELECT webhook_url FROM api_clients WHERE id = @clientId AND revoked_at IS NULL",
                new { clientId }, cancellationToken).ConfigureAwait(false);
            var last = await session.ExecuteScalarAsync<long?>("SELECT last_seq FROM webhook_cursors WHERE case_id = @id", new { id = record.Id }, cancellationToken)
                .ConfigureAwait(false) ?? 0;
            var events = (await session.QueryAsync<EventRow>(Events, new { id = record.Id, last }, cancellationToken).ConfigureAwait(false)).ToList();
            if (events.Count == 0) return new Result([]);

            var created = new List<Guid>();
            if (hook is not null)
            {
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
            }
            await session.ExecuteAsync(Cursor, new { id = record.Id, last = events[^1].Seq }, cancellationToken).ConfigureAwait(false);
            return new Result(created);
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
