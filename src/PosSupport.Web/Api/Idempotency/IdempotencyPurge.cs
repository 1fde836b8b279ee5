using Hangfire;
using MediatR;
using PosSupport.Core.Idempotency;

namespace PosSupport.Web.Api.Idempotency;

/// <summary>
/// Every hour (recurring job, one node at a time; registered by <see cref="Webhooks.ApiRecurringJobsRegistration"/>): deletes the
/// <c>Idempotency-Key</c>s past their retention.
/// </summary>
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
