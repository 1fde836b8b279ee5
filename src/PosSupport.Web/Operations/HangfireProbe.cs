using Hangfire;

namespace PosSupport.Web.Operations;

/// <summary>
/// Whether Hangfire can run follow-ups and webhooks: its storage answers and at least one server (on any node sharing the
/// storage) has sent a heartbeat within <see cref="HeartbeatTolerance"/>. A server announces itself on a background thread
/// shortly after start-up, so while this process has never seen one alive and started less than <see cref="StartupGrace"/>
/// ago, a check waits up to <see cref="StartupWait"/> for it: /health is 200 as soon as the host serves, never 503 merely
/// because it asked too early. Thread-safe.
/// </summary>
// The storage is resolved when a check runs, not when the host is built: a Hangfire problem must never keep the host from starting.
public sealed class HangfireProbe(IServiceProvider services, TimeProvider clock)
{
    /// <summary>Hangfire's servers beat every 30 s: four missed beats mean the server is gone (its own watchdog waits 5 min).</summary>
    public static readonly TimeSpan HeartbeatTolerance = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan StartupGrace = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan StartupWait = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan StorageTimeout = TimeSpan.FromSeconds(5);

    private DateTimeOffset? _started;
    private volatile bool _seenAlive;

    /// <summary>Called when the host has started serving: the grace counts from here.</summary>
    public void HostStarted() => _started = clock.GetUtcNow();

    /// <param name="Status"><c>ok</c>, <c>no-server</c> (none alive) or <c>unreachable</c> (the storage did not answer).</param>
    public sealed record Check(string Status, int Servers);

    public async Task<Check> CheckAsync(CancellationToken cancellationToken)
    {
        var check = await ReadAsync(cancellationToken).ConfigureAwait(false);
        if (check.Status == "no-server" && !_seenAlive && _started is { } started && clock.GetUtcNow() - started < StartupGrace)
        {
            var until = clock.GetUtcNow() + StartupWait;
            while (check.Status == "no-server" && clock.GetUtcNow() < until)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), clock, cancellationToken).ConfigureAwait(false);
                check = await ReadAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        if (check.Status == "ok") _seenAlive = true;
        return check;
    }

    private async Task<Check> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            // The monitoring API is synchronous; a storage that hangs must not hold the health check longer than the database's.
            var servers = await Task.Run(() => services.GetRequiredService<JobStorage>().GetMonitoringApi().Servers(), cancellationToken)
                .WaitAsync(StorageTimeout, clock, cancellationToken).ConfigureAwait(false);
            var now = clock.GetUtcNow().UtcDateTime;
            var alive = servers.Count(s => s.Heartbeat is { } beat && now - Utc(beat) <= HeartbeatTolerance);
            return new Check(alive > 0 ? "ok" : "no-server", alive);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new Check("unreachable", 0);
        }
    }

    // Storages hand back heartbeats as UTC, unspecified (UTC written by Hangfire) or local times.
    private static DateTime Utc(DateTime beat) => beat.Kind == DateTimeKind.Local ? beat.ToUniversalTime() : DateTime.SpecifyKind(beat, DateTimeKind.Utc);
}
