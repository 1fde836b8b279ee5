using Hangfire;
using MediatR;
using PosSupport.Core.Idempotency;

namespace PosSupport.Web.Api.Idempotency;

/// <summary>Every hour (recurring job, one node at a time): deletes the <c>Idempotency-Key</c>s past their retention.</summary>
public sealed class IdempotencyPurgeJob(IMediator mediator, ApiOptions options)
{
    public const string JobId = "idempotency-keys-purge";

    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync()
    {
        var retention = TimeSpan.FromHours(options.IdempotencyRetentionHours);
        // In batches, each its own short transaction, until a batch comes back short.
        const int batch = 5_000;
        while (await mediator.Send(new PurgeIdempotencyKeys.Command(retention, batch)) == batch)
        {
        }
    }
}

/// <summary>Registers the hourly purge with Hangfire once the host runs; a failure is logged, not fatal (expired keys are ignored anyway).</summary>
public sealed partial class IdempotencyPurgeRegistration(IServiceProvider services, ILogger<IdempotencyPurgeRegistration> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<IdempotencyPurgeJob>(IdempotencyPurgeJob.JobId, job => job.RunAsync(), Cron.Hourly());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Failed(logger, e);
        }
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not register the purge of expired idempotency keys")]
    private static partial void Failed(ILogger logger, Exception exception);
}
