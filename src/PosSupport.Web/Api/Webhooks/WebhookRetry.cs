using Hangfire;
using MediatR;
using PosSupport.Core.Webhooks;

namespace PosSupport.Web.Api.Webhooks;

/// <summary>
/// After an admin's retry commits: enqueues the delivery job on the <c>webhooks</c> queue. If that fails the delivery is
/// pending and overdue, so the every-minute sweep picks it up.
/// </summary>
public sealed partial class WebhookRetryRelay(IServiceProvider services, ILogger<WebhookRetryRelay> logger) : INotificationHandler<WebhookDeliveryRequeued>
{
    public Task Handle(WebhookDeliveryRequeued notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        try
        {
            var id = notification.DeliveryId;
            services.GetRequiredService<IBackgroundJobClient>().Enqueue<WebhookSender>(s => s.DeliverAsync(id, CancellationToken.None));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Failed(logger, e, notification.DeliveryId);
        }
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not enqueue the retried webhook delivery {DeliveryId}; the sweeper will")]
    private static partial void Failed(ILogger logger, Exception exception, Guid deliveryId);
}
