using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Webhooks;

/// <summary>One webhook delivery as the delivery job needs it: where, signed with what, and whether the 48-hour rule applies.</summary>
public static class GetWebhookDelivery
{
    public sealed record Query(Guid DeliveryId) : IQuery<Delivery?>;

    /// <param name="LastInboundAt">When the merchant last wrote on this client's conversation of the case (WeChat's 48-hour window).</param>
    public sealed record Delivery(Guid Id, string EventType, string Status, int Attempts, string? Url, string? Secret, string? ChannelKind, string Payload,
        DateTimeOffset? LastInboundAt);

    public sealed class Handler(CaseSession session) : IRequestHandler<Query, Delivery?>
    {
        private const string Sql = """
            SELECT d.id AS Id, d.event_type AS EventType, d.status AS Status, d.attempts AS Attempts, c.webhook_url AS Url, c.webhook_secret AS Secret,
                   c.channel_kind AS ChannelKind, d.payload AS Payload,
                   (SELECT MAX(m.at) FROM case_messages m WHERE m.case_id = d.case_id AND m.direction = 'inbound') AS LastInboundAt
              FROM webhook_deliveries d JOIN api_clients c ON c.id = d.client_id
             WHERE d.id = @DeliveryId
            """;

        public async Task<Delivery?> Handle(Query request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            var row = await session.QuerySingleOrDefaultAsync<Row>(Sql, request, cancellationToken).ConfigureAwait(false);
            return row is null ? null : new Delivery(row.Id, row.EventType, row.Status, row.Attempts, row.Url, row.Secret, row.ChannelKind, row.Payload, row.LastInboundAt);
        }

        private sealed class Row
        {
            public Guid Id { get; set; }
            public string EventType { get; set; } = "";
            public string Status { get; set; } = "";
            public int Attempts { get; set; }
            public string? Url { get; set; }
            public string? Secret { get; set; }
            public string? ChannelKind { get; set; }
            public string Payload { get; set; } = "";
            public DateTimeOffset? LastInboundAt { get; set; }
        }
    }
}

/// <summary>
/// The outcome of one delivery attempt, logged as its own row: delivered; failed (retried with exponential back-off,
/// dead-lettered after the last attempt); or held because the channel needs a template message (kept, never dropped).
/// An attempt on a delivery that is no longer pending (a job run twice) changes nothing.
/// </summary>
public static class RecordWebhookAttempt
{
    public enum Outcome { Delivered, Failed, NeedsTemplate }

    public sealed record Command(Guid DeliveryId, Outcome Result, int? StatusCode, string? Error, int MaxAttempts, TimeSpan FirstRetryDelay) : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.DeliveryId).NotEmpty();
            RuleFor(c => c.MaxAttempts).GreaterThan(0);
            RuleFor(c => c.FirstRetryDelay).GreaterThan(TimeSpan.Zero);
            RuleFor(c => c.Error).MaximumLength(2000);
        }
    }

    /// <param name="RetryAt">When to try again; null once delivered, dead-lettered or held for a template.</param>
    public sealed record Result(string Status, int Attempts, DateTimeOffset? RetryAt, bool Recorded);

    public sealed class Handler(CaseSession session, TimeProvider clock, Metrics.PosSupportMetrics metrics) : IRequestHandler<Command, Result>
    {
        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            var current = await session.QuerySingleOrDefaultAsync<(string Status, int Attempts)>(
                "SELECT status, attempts FROM webhook_deliveries WHERE id = @DeliveryId", request, cancellationToken).ConfigureAwait(false);
            if (current.Status is null) throw new NotFoundException("Webhook delivery", request.DeliveryId.ToString("D"));
            if (current.Status != "pending") return new Result(current.Status, current.Attempts, null, Recorded: false);

            var now = clock.GetUtcNow();
            var attempt = current.Attempts + 1;
            var (status, retryAt) = request.Result switch
            {
                Outcome.Delivered => ("delivered", (DateTimeOffset?)null),
                Outcome.NeedsTemplate => ("needs-template", null),
                _ when attempt >= request.MaxAttempts => ("dead", null),
                _ => ("pending", now + request.FirstRetryDelay * Math.Pow(2, attempt - 1)),
            };
            var outcome = request.Result switch { Outcome.Delivered => "delivered", Outcome.NeedsTemplate => "needs-template", _ => "failed" };
            await session.ExecuteAsync("""
                INSERT INTO webhook_attempts (delivery_id, attempt, at, outcome, status_code, error)
                VALUES (@DeliveryId, @attempt, @now, @outcome, @StatusCode, @Error)
                """, new { request.DeliveryId, attempt, now, outcome, request.StatusCode, request.Error }, cancellationToken).ConfigureAwait(false);
            await session.ExecuteAsync("""
                UPDATE webhook_deliveries SET status = @status, attempts = @attempt, next_attempt_at = @retryAt,
                       delivered_at = CASE WHEN @status = 'delivered' THEN @now ELSE delivered_at END
                 WHERE id = @DeliveryId
                """, new { status, attempt, retryAt, now, request.DeliveryId }, cancellationToken).ConfigureAwait(false);
            session.AfterCommit(() => metrics.WebhookAttempted(status));
            return new Result(status, attempt, retryAt, Recorded: true);
        }
    }
}
