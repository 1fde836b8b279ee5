using Hangfire;
using MediatR;
using PosSupport.Core.Webhooks;

namespace PosSupport.Web.Api.Webhooks;

/// <summary>
/// After a transaction that queued webhook deliveries commits (they are written with the change that caused them): hands
/// each to the delivery job. Failures are logged, never thrown (the deliveries are committed; the sweeper re-enqueues them).
/// </summary>
public sealed partial class WebhookOutbox(IServiceProvider services, ILogger<WebhookOutbox> logger) : INotificationHandler<WebhooksQueued>
{
    public Task Handle(WebhooksQueued notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        try
        {
            // Resolved here, inside the try: building Hangfire's client can fail, and that must not fail the committed request.
            var jobs = services.GetRequiredService<IBackgroundJobClient>();
            foreach (var id in notification.DeliveryIds) jobs.Enqueue<WebhookSender>(s => s.DeliverAsync(id, CancellationToken.None));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Failed(logger, e, notification.DeliveryIds.Count);
        }
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not enqueue {Count} webhook delivery job(s); the sweeper will")]
    private static partial void Failed(ILogger logger, Exception exception, int count);
}

/// <summary>
/// Every minute (recurring job, one node at a time): queues the webhooks of cases changed in the last day whose events
/// were not read yet (a crash between commit and queueing), and re-enqueues deliveries whose retry is overdue (lost jobs).
/// </summary>
public sealed class WebhookSweepJob(IMediator mediator, IBackgroundJobClient jobs)
{
    public const string JobId = "webhooks-sweep";

    [Queue(WebhookSender.Queue)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync()
    {
        var due = await mediator.Send(new SweepWebhooks.Query(TimeSpan.FromMinutes(1)));
        foreach (var caseId in due.CasesBehind)
            foreach (var id in (await mediator.Send(new QueueWebhooks.Command(caseId))).DeliveryIds)
                jobs.Enqueue<WebhookSender>(s => s.DeliverAsync(id, CancellationToken.None));
        foreach (var id in due.OverdueDeliveries) jobs.Enqueue<WebhookSender>(s => s.DeliverAsync(id, CancellationToken.None));
    }
}

/// <summary>
/// Registers the API's recurring jobs with Hangfire once the host runs: the every-minute webhook sweep and the hourly purge
/// of expired idempotency keys. A failure is logged, not fatal (deliveries are enqueued directly; expired keys are ignored).
/// </summary>
public sealed partial class ApiRecurringJobsRegistration(IServiceProvider services, ILogger<ApiRecurringJobsRegistration> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var jobs = services.GetRequiredService<IRecurringJobManager>();
            jobs.AddOrUpdate<WebhookSweepJob>(WebhookSweepJob.JobId, job => job.RunAsync(), Cron.Minutely());
            jobs.AddOrUpdate<Idempotency.IdempotencyPurgeJob>(Idempotency.IdempotencyPurgeJob.JobId, job => job.RunAsync(), Cron.Hourly());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Failed(logger, e);
        }
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not register the webhook sweep and the idempotency-key purge")]
    private static partial void Failed(ILogger logger, Exception exception);
}
