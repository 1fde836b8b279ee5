using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Idempotency;

/// <summary>
/// Deletes <c>Idempotency-Key</c>s older than their retention, up to <see cref="Command.Limit"/> at a time (a recurring job,
/// not the requests: a delete inside every request's transaction would make concurrent requests wait on each other's
/// expired rows). Returns how many went, so the job can tell whether more are left.
/// </summary>
public static class PurgeIdempotencyKeys
{
    public sealed record Command(TimeSpan Retention, int Limit = 5_000) : ICommand<int>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Retention).GreaterThanOrEqualTo(TimeSpan.FromHours(24)).WithMessage("Keys are kept at least 24 hours.");
            RuleFor(c => c.Limit).InclusiveBetween(1, 100_000);
        }
    }

    public sealed class Handler(CaseSession session, TimeProvider clock) : IRequestHandler<Command, int>
    {
        public Task<int> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            return session.ExecuteAsync("""
                DELETE FROM idempotency_keys WHERE (client_id, idempotency_key) IN (
                    SELECT client_id, idempotency_key FROM idempotency_keys WHERE created_at < @cutoff ORDER BY created_at LIMIT @Limit)
                """, new { cutoff = clock.GetUtcNow() - request.Retention, request.Limit }, cancellationToken);
        }
    }
}
