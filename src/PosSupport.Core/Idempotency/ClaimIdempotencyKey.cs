using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Idempotency;

/// <summary>
/// Claims an <c>Idempotency-Key</c> of an API client before its request runs. The first request with a key claims it;
/// a later one with the same body gets the stored response to replay; one with another body, or one racing the first,
/// is refused. Keys are kept for <see cref="Command.Retention"/>; a claim left in flight longer than
/// <see cref="Command.Lease"/> may be taken over. (The API claims a key in the transaction of the request itself, so an
/// in-flight claim is never seen committed there; a twin waits on the key's row instead.)
/// </summary>
public static class ClaimIdempotencyKey
{
    public enum Outcome { Claimed, Replay, InFlight, DifferentRequest }

    public sealed record Command(Guid ClientId, string Key, string RequestHash, TimeSpan Retention, TimeSpan Lease) : ICommand<Result>, ISessionStep;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.ClientId).NotEmpty();
            RuleFor(c => c.Key).NotEmpty().MaximumLength(IdempotencyKeys.MaxKeyLength);
            RuleFor(c => c.RequestHash).NotEmpty().MaximumLength(100);
            RuleFor(c => c.Retention).GreaterThanOrEqualTo(TimeSpan.FromHours(24)).WithMessage("Keys are kept at least 24 hours.");
            RuleFor(c => c.Lease).GreaterThan(TimeSpan.Zero);
        }
    }

    /// <param name="Stored">The response to replay, with <see cref="Outcome.Replay"/>.</param>
    public sealed record Result(Outcome Outcome, StoredResponse? Stored);

    public sealed class Handler(CaseSession session, TimeProvider clock) : IRequestHandler<Command, Result>
    {
        private const string Insert = """
            INSERT INTO idempotency_keys (client_id, idempotency_key, request_hash, status, created_at)
            VALUES (@ClientId, @Key, @RequestHash, 'in-flight', @now)
            ON CONFLICT (client_id, idempotency_key) DO NOTHING
            """;

        private const string Existing = """
            SELECT request_hash AS RequestHash, status AS Status, response_status AS Status2, response_content_type AS ContentType,
                   response_location AS Location, response_etag AS ETag, response_body AS Body, created_at AS CreatedAt
              FROM idempotency_keys WHERE client_id = @ClientId AND idempotency_key = @Key
            """;

        private const string TakeOver = """
            UPDATE idempotency_keys SET request_hash = @RequestHash, status = 'in-flight', response_status = NULL, response_content_type = NULL,
                   response_location = NULL, response_etag = NULL, response_body = NULL, created_at = @now, completed_at = NULL
             WHERE client_id = @ClientId AND idempotency_key = @Key
            """;

        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            var now = clock.GetUtcNow();
            var param = new { request.ClientId, request.Key, request.RequestHash, now };
            if (await session.ExecuteAsync(Insert, param, cancellationToken).ConfigureAwait(false) == 1) return new Result(Outcome.Claimed, null);

            var row = await session.QuerySingleOrDefaultAsync<Row>(Existing, param, cancellationToken).ConfigureAwait(false)
                      ?? throw new InvalidOperationException("An idempotency key was refused as taken, yet no row holds it.");
            // An expired key is as good as gone (PurgeIdempotencyKeys deletes it later, away from the requests' transactions).
            if (row.CreatedAt < now - request.Retention || (row.Status == "in-flight" && row.CreatedAt < now - request.Lease))
            {
                await session.ExecuteAsync(TakeOver, param, cancellationToken).ConfigureAwait(false);
                return new Result(Outcome.Claimed, null);
            }
            if (!string.Equals(row.RequestHash, request.RequestHash, StringComparison.Ordinal)) return new Result(Outcome.DifferentRequest, null);
            if (row.Status == "in-flight") return new Result(Outcome.InFlight, null);
            return new Result(Outcome.Replay, new StoredResponse(row.Status2 ?? 500, row.ContentType, row.Location, row.ETag, row.Body ?? ""));
        }

        private sealed class Row
        {
            public string RequestHash { get; set; } = "";
            public string Status { get; set; } = "";
            public int? Status2 { get; set; }
            public string? ContentType { get; set; }
            public string? Location { get; set; }
            public string? ETag { get; set; }
            public string? Body { get; set; }
            public DateTimeOffset CreatedAt { get; set; }
        }
    }
}

/// <summary>A response kept for replay: status, the headers that matter to a client, and the (UTF-8 text) body.</summary>
public sealed record StoredResponse(int Status, string? ContentType, string? Location, string? ETag, string Body);

public static class IdempotencyKeys
{
    public const int MaxKeyLength = 200;
}
