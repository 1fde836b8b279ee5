using Hangfire;
using MediatR;
using PosSupport.Core.Cases;
using PosSupport.Core.Webhooks;

namespace PosSupport.Web.Api.Webhooks;

/// <summary>
/// After a case change commits: turns its new merchant-visible events into deliveries and hands each to the delivery job.
/// Failures are logged, never thrown (the change is committed; the sweeper catches up).
/// </summary>
public sealed partial class WebhookOutbox(IMediator mediator, IServiceProvider services, ILogger<WebhookOutbox> logger) : INotificationHandler<CaseChanged>
{
    public async Task Handle(CaseChanged notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        try
        {
            var queued = await mediator.Send(new QueueWebhooks.Command(notification.CaseId), CancellationToken.None);
            if (queued.DeliveryIds.Count == 0) return;
            // Resolved here, inside the try: building Hangfire's client can fail, and that must not fail the committed request.
            var jobs = services.GetRequiredService<IBackgroundJobClient>();
            foreach (var id in queued.DeliveryIds) jobs.Enqueue<WebhookSender>(s => s.DeliverAsync(id, CancellationToken.None));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Failed(logger, e, notification.CaseId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not queue the webhooks of case {CaseId}; the sweeper will")]
    private static partial void Failed(ILogger logger, Exception exception, Guid caseId);
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

/// <summary>Registers the every-minute webhook sweep with Hangfire once the host runs; a failure is logged, not fatal (deliveries are enqueued directly).</summary>
public sealed partial class WebhookSweepRegistration(IServiceProvider services, ILogger<WebhookSweepRegistration> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<WebhookSweepJob>(WebhookSweepJob.JobId, job => job.RunAsync(), Cron.Minutely());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Failed(logger, e);
        }
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not register the webhook sweep")]
    private static partial void Failed(ILogger logger, Exception exception);
}
