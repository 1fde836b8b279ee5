using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Users;

namespace PosSupport.Core.Webhooks;

/// <summary>
/// Webhook deliveries for the admin page, the newest 200, with a count per filter. The filters are what an admin asks:
/// <c>pending</c> (not tried yet), <c>failed</c> (failed at least once, a retry is scheduled), <c>delivered</c>,
/// <c>dead-letter</c> (every attempt failed) and <c>needs-template</c> (held: WeChat needs a template message).
/// </summary>
public static class ListWebhookDeliveries
{
    public static readonly IReadOnlyList<string> Filters = ["pending", "failed", "delivered", "dead-letter", "needs-template"];

    /// <param name="Filter">One of <see cref="Filters"/>, or null for every delivery.</param>
    public sealed record Query(Caller Caller, string? Filter = null) : IQuery<Result>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.Caller).NotNull();
            RuleFor(q => q.Filter).Must(f => f is null || Filters.Contains(f)).WithMessage("The filter is pending, failed, delivered, dead-letter or needs-template.");
        }
    }

    /// <param name="Counts">Deliveries per filter (every filter present, zero included).</param>
    public sealed record Result(IReadOnlyList<Delivery> Deliveries, IReadOnlyDictionary<string, long> Counts);

    public sealed class Delivery
    {
        public Guid Id { get; set; }
        public string ClientName { get; set; } = "";
        public Guid CaseId { get; set; }
        public string CaseNumber { get; set; } = "";
        public string EventType { get; set; } = "";
        public string Status { get; set; } = "";
        public int Attempts { get; set; }
        public DateTimeOffset? NextAttemptAt { get; set; }
        public DateTimeOffset CreatedAt { get; set; }
        public DateTimeOffset? DeliveredAt { get; set; }

        /// <summary>The filter this delivery falls under.</summary>
        public string Filter => FilterOf(Status, Attempts);
    }

    public static string FilterOf(string status, int attempts) => status switch
    {
        "pending" => attempts == 0 ? "pending" : "failed",
        "dead" => "dead-letter",
        _ => status,
    };

    public sealed class Handler(CaseSession session) : IRequestHandler<Query, Result>
    {
        private const string Rows = """
            SELECT d.id AS Id, a.name AS ClientName, d.case_id AS CaseId, c.number AS CaseNumber, d.event_type AS EventType, d.status AS Status,
                   d.attempts AS Attempts, d.next_attempt_at AS NextAttemptAt, d.created_at AS CreatedAt, d.delivered_at AS DeliveredAt
              FROM webhook_deliveries d
              JOIN api_clients a ON a.id = d.client_id
              JOIN cases c ON c.id = d.case_id
             WHERE (@status IS NULL OR d.status = @status)
               AND (@attempted IS NULL OR (@attempted = 1 AND d.attempts > 0) OR (@attempted = 0 AND d.attempts = 0))
             ORDER BY d.created_at DESC, d.id DESC
             LIMIT 200
            """;

        private const string Counts = """
            SELECT d.status AS Status, CASE WHEN d.attempts > 0 THEN 1 ELSE 0 END AS Attempted, COUNT(*) AS Count
              FROM webhook_deliveries d GROUP BY d.status, CASE WHEN d.attempts > 0 THEN 1 ELSE 0 END
            """;

        public async Task<Result> Handle(Query request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            Administration.Require(request.Caller);
            var (status, attempted) = request.Filter switch
            {
                "pending" => ("pending", (int?)0),
                "failed" => ("pending", 1),
                "dead-letter" => ("dead", null),
                null => ((string?)null, null),
                var other => (other, null),
            };
            var rows = (await session.QueryAsync<Delivery>(Rows, new { status, attempted }, cancellationToken).ConfigureAwait(false)).ToList();
            var counts = Filters.ToDictionary(f => f, _ => 0L, StringComparer.Ordinal);
            foreach (var group in await session.QueryAsync<CountRow>(Counts, null, cancellationToken).ConfigureAwait(false))
                counts[FilterOf(group.Status, group.Attempted)] += group.Count;
            return new Result(rows, counts);
        }

        private sealed class CountRow
        {
            public string Status { get; set; } = "";
            public int Attempted { get; set; }
            public long Count { get; set; }
        }
    }
}

/// <summary>Every attempt of one webhook delivery, first to last: when, the outcome, the HTTP status or the error.</summary>
public static class GetWebhookAttempts
{
    public sealed record Query(Guid DeliveryId, Caller Caller) : IQuery<IReadOnlyList<Attempt>>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.DeliveryId).NotEmpty();
            RuleFor(q => q.Caller).NotNull();
        }
    }

    public sealed class Attempt
    {
        public int Number { get; set; }
        public DateTimeOffset At { get; set; }
        public string Outcome { get; set; } = "";
        public int? StatusCode { get; set; }
        public string? Error { get; set; }
    }

    public sealed class Handler(CaseSession session) : IRequestHandler<Query, IReadOnlyList<Attempt>>
    {
        private const string Sql = """
            SELECT attempt AS Number, at AS At, outcome AS Outcome, status_code AS StatusCode, error AS Error
              FROM webhook_attempts WHERE delivery_id = @DeliveryId ORDER BY attempt
            """;

        public async Task<IReadOnlyList<Attempt>> Handle(Query request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            Administration.Require(request.Caller);
            return (await session.QueryAsync<Attempt>(Sql, request, cancellationToken).ConfigureAwait(false)).ToList();
        }
    }
}
