using System.Net.Http.Headers;
using System.Text;
using Hangfire;
using MediatR;
using PosSupport.Core.Webhooks;

namespace PosSupport.Web.Api.Webhooks;

/// <summary>
/// The Hangfire job that delivers one webhook (queue <c>webhooks</c>). Retries are its own, not Hangfire's: each attempt is
/// logged as a row, the next is scheduled with exponential back-off, and the last failure dead-letters the delivery. Safe to
/// run twice: a delivery that is no longer pending is left alone.
/// </summary>
public sealed partial class WebhookSender(IMediator mediator, IHttpClientFactory httpClients, IBackgroundJobClient jobs, WebhookOptions options,
    TimeProvider clock, ILogger<WebhookSender> logger)
{
    public const string Queue = "webhooks";
    public const string HttpClientName = "webhooks";

    [Queue(Queue)]
    [AutomaticRetry(Attempts = 0)]
    public async Task DeliverAsync(Guid deliveryId, CancellationToken cancellationToken)
    {
        var delivery = await mediator.Send(new GetWebhookDelivery.Query(deliveryId), cancellationToken);
        if (delivery is not { Status: "pending" }) return;

        var now = clock.GetUtcNow();
        if (delivery.EventType == WebhookEvents.MessageCreated && delivery.ChannelKind == "wechat"
            && (delivery.LastInboundAt is null || delivery.LastInboundAt < now - options.WeChatFreeFormWindow))
        {
            // WeChat allows free-form customer-service messages only within 48 h of the merchant's last message: the channel must send a template.
            await RecordAsync(deliveryId, RecordWebhookAttempt.Outcome.NeedsTemplate, null, "outside WeChat's 48-hour window: send as a template message");
            return;
        }
        if (delivery.Url is null || delivery.Secret is null)
        {
            await RecordAsync(deliveryId, RecordWebhookAttempt.Outcome.Failed, null, "the client has no webhook URL or secret any more");
            return;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add(WebhookSignature.DeliveryHeader, deliveryId.ToString("D"));
        request.Headers.Add(WebhookSignature.EventHeader, delivery.EventType);
        request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(delivery.Secret, now.ToUnixTimeSeconds(), delivery.Payload));
        RecordWebhookAttempt.Outcome outcome;
        int? status = null;
        string? error = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Timeout);
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            status = (int)response.StatusCode;
            outcome = response.IsSuccessStatusCode ? RecordWebhookAttempt.Outcome.Delivered : RecordWebhookAttempt.Outcome.Failed;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            outcome = RecordWebhookAttempt.Outcome.Failed;
            error = e.Message;
        }
        var result = await RecordAsync(deliveryId, outcome, status, error);
        if (result.RetryAt is { } retryAt) jobs.Schedule<WebhookSender>(s => s.DeliverAsync(deliveryId, CancellationToken.None), retryAt);
        if (result.Status == "dead") DeadLettered(logger, deliveryId, result.Attempts);
    }

    private Task<RecordWebhookAttempt.Result> RecordAsync(Guid deliveryId, RecordWebhookAttempt.Outcome outcome, int? status, string? error) =>
        // The outcome is recorded even when the host is stopping: the request already went out.
        mediator.Send(new RecordWebhookAttempt.Command(deliveryId, outcome, status, error, options.MaxAttempts, options.FirstRetryDelay), CancellationToken.None);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} dead-lettered after {Attempts} attempts")]
    private static partial void DeadLettered(ILogger logger, Guid deliveryId, int attempts);
}
