using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Users;

namespace PosSupport.Core.Webhooks;

/// <summary>
/// Puts a dead-lettered webhook delivery back in line for one more attempt (an admin fixed the receiver). It becomes pending
/// again with its attempt log kept; after commit the host hands it to the delivery job on the <c>webhooks</c> queue. If that
/// attempt fails too it is dead-lettered again, so a retry never restarts the whole back-off series. Admins only.
/// </summary>
public static class RetryWebhookDelivery
{
    public sealed record Command(Guid DeliveryId, Caller Caller) : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.DeliveryId).NotEmpty();
            RuleFor(c => c.Caller).NotNull();
        }
    }

    public sealed record Result(Guid DeliveryId, string Status);

    public sealed class Handler(CaseSession session, TimeProvider clock) : IRequestHandler<Command, Result>
    {
        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            Administration.Require(request.Caller);
            var status = await session.ExecuteScalarAsync<string>("SELECT status FROM webhook_deliveries WHERE id = @DeliveryId", request, cancellationToken)
                .ConfigureAwait(false) ?? throw new NotFoundException("Webhook delivery", request.DeliveryId.ToString("D"));
            // Only from 'dead': two admins retrying at once queue it once.
            var requeued = await session.ExecuteAsync("""
                UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = @now WHERE id = @DeliveryId AND status = 'dead'
                """, new { request.DeliveryId, now = clock.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
            if (requeued == 0)
                throw new ConflictException(Administration.Say($"Only a dead-lettered delivery is retried; this one is {status}.",
                    $"只能重试死信投递，此投递当前状态为 {status}。"));
            session.PublishAfterCommit(new WebhookDeliveryRequeued(request.DeliveryId));
            return new Result(request.DeliveryId, "pending");
        }
    }
}

/// <summary>Published after commit when a delivery is pending again and must be handed to the delivery job.</summary>
public sealed record WebhookDeliveryRequeued(Guid DeliveryId) : INotification;
