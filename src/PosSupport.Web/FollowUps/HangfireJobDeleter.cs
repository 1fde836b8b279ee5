using System.Collections.Concurrent;
using System.Threading.Channels;
using Hangfire;

namespace PosSupport.Web.FollowUps;

/// <summary>
/// Deletes the Hangfire jobs of cancelled follow-ups in the background, one at a time, instead of inside the request
/// that cancelled them.
/// </summary>
/// <remarks>
/// Hangfire deletes a job under a per-job distributed lock. On PostgreSQL, a caller that finds the lock taken sleeps a
/// whole second before it tries again. Follow-ups waking on the same second share a job, so two requests cancelling
/// rows of one job at the same moment made one of them wait 1–3 s after its commit (measured under load: docs/benchmarks.md,
/// "Job deletion off the request path"). Here each job is deleted once, by one loop, and a request only posts the id.
/// Deleting is an optimisation: a job that still runs finds no pending row naming it and does nothing. So a delete that
/// fails, or one still waiting when the host stops, is logged or dropped, never retried.
/// </remarks>
public sealed partial class HangfireJobDeleter(IBackgroundJobClient client, ILogger<HangfireJobDeleter> logger) : BackgroundService
{
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    // Posted and not yet deleted (or failed). A job in here counts as dead: no follow-up joins it.
    private readonly ConcurrentDictionary<string, byte> _waiting = new(StringComparer.Ordinal);

    /// <summary>Queues the job for deletion; a job already waiting is not queued twice.</summary>
    public void Post(string jobId)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        if (_waiting.TryAdd(jobId, 0)) _queue.Writer.TryWrite(jobId);
    }

    /// <summary>Whether the job was posted and its deletion has not finished yet.</summary>
    public bool IsWaiting(string jobId) => _waiting.ContainsKey(jobId);

    /// <summary>How many jobs are waiting to be deleted.</summary>
    public int Waiting => _waiting.Count;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var job in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    // Synchronous: Hangfire's client has no asynchronous delete. Only this loop ever blocks on it.
                    client.Delete(job);
                }
                catch (Exception e)
                {
                    DeleteFailed(logger, e, job);
                }
                finally
                {
                    _waiting.TryRemove(job, out _);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Jobs still waiting are left to run; they find their follow-ups cancelled.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting Hangfire job {JobId} of cancelled follow-ups failed; it will find them cancelled when it runs")]
    private static partial void DeleteFailed(ILogger logger, Exception exception, string jobId);
}
