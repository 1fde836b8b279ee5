using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PosSupport.Core.FollowUps;

/// <summary>
/// Arms newly committed follow-up rows in the background, in batches: the rows of every command that committed while a
/// batch was being armed go into the next one, which is one read per row, one job per wake-up second and one write
/// transaction for them all.
/// </summary>
/// <remarks>
/// The request that wrote the rows only posts their ids, so it no longer waits for a second write transaction (and, on
/// SQLite, a second flush of the log) after its own commit. Nothing is lost when the host stops or dies with ids still
/// posted: the rows are committed and pending without a job, which is what the sweeper arms at start-up and every minute.
/// </remarks>
public sealed partial class FollowUpArmingLoop(IServiceScopeFactory scopes, ILogger<FollowUpArmingLoop> logger) : BackgroundService
{
    /// <summary>The most rows armed in one batch.</summary>
    public const int BatchSize = 500;

    private readonly Channel<Guid> _queue = Channel.CreateUnbounded<Guid>(new UnboundedChannelOptions { SingleReader = true });
    private int _waiting;

    /// <summary>Rows posted and not armed (or given up on) yet.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Hands committed rows to the loop.</summary>
    public void Post(IReadOnlyList<Guid> followUpIds)
    {
        ArgumentNullException.ThrowIfNull(followUpIds);
        foreach (var id in followUpIds)
        {
            Interlocked.Increment(ref _waiting);
            _queue.Writer.TryWrite(id);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Guid>(BatchSize);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                while (batch.Count < BatchSize && _queue.Reader.TryRead(out var id)) batch.Add(id);
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    // Logs its own failures and never throws them; the sweeper arms what it missed.
                    await scope.ServiceProvider.GetRequiredService<FollowUpArming>().ArmRowsAsync(batch, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    BatchFailed(logger, e, batch.Count);
                }
                finally
                {
                    Interlocked.Add(ref _waiting, -batch.Count);
                    batch.Clear();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Rows still posted are committed and unarmed: the sweeper arms them when a host starts again.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Arming a batch of {Count} follow-up(s) failed; the sweeper will arm them")]
    private static partial void BatchFailed(ILogger logger, Exception exception, int count);
}
