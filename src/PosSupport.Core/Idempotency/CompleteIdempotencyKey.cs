using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Idempotency;

/// <summary>
/// Finishes a claimed <c>Idempotency-Key</c>: with a response, it is kept for replay; without one (the server failed, not
/// the client), the claim is released so that the client's retry runs the request again.
/// </summary>
public static class CompleteIdempotencyKey
{
    public sealed record Command(Guid ClientId, string Key, StoredResponse? Response) : ICommand<Unit>, ISessionStep;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.ClientId).NotEmpty();
            RuleFor(c => c.Key).NotEmpty().MaximumLength(IdempotencyKeys.MaxKeyLength);
        }
    }

    public sealed class Handler(CaseSession session, TimeProvider clock) : IRequestHandler<Command, Unit>
    {
        private const string Store = """
            UPDATE idempotency_keys
               SET status = 'done', response_status = @Status, response_content_type = @ContentType, response_location = @Location,
                   response_etag = @ETag, response_body = @Body, completed_at = @now
             WHERE client_id = @ClientId AND idempotency_key = @Key AND status = 'in-flight'
            """;

        private const string Release = "DELETE FROM idempotency_keys WHERE client_id = @ClientId AND idempotency_key = @Key AND status = 'in-flight'";

        public async Task<Unit> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (request.Response is not { } response)
            {
                await session.ExecuteAsync(Release, request, cancellationToken).ConfigureAwait(false);
                return Unit.Value;
            }
            await session.ExecuteAsync(Store, new
            {
                request.ClientId, request.Key, response.Status, response.ContentType, response.Location, response.ETag, response.Body, now = clock.GetUtcNow(),
            }, cancellationToken).ConfigureAwait(false);
            return Unit.Value;
        }
    }
}
