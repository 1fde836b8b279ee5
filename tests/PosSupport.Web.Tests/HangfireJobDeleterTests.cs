using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.Extensions.Logging;
using PosSupport.Core.Tests.Support;
using PosSupport.Web.FollowUps;

namespace PosSupport.Web.Tests;

/// <summary>
/// Cancelled follow-ups' jobs are deleted by one background loop: the caller only posts the id and never waits for
/// Hangfire (whose PostgreSQL storage sleeps a whole second on a taken job lock).
/// </summary>
public sealed class HangfireJobDeleterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>A job client whose deletes wait at a gate until the test opens it, and can be made to fail.</summary>
    private sealed class GatedClient : IBackgroundJobClient
    {
        private readonly Lock _gate = new();
        private readonly List<string> _deleted = [];

        public ManualResetEventSlim Open { get; } = new(initialState: true);

        public HashSet<string> Failing { get; } = new(StringComparer.Ordinal);

        public IReadOnlyList<string> Deleted
        {
            get { lock (_gate) return [.. _deleted]; }
        }

        public string Create(Job job, IState state) => throw new NotSupportedException("The deleter only deletes.");

        public bool ChangeState(string jobId, IState state, string? expectedState)
        {
            Assert.IsType<DeletedState>(state);
            if (!Open.Wait(Patience)) throw new TimeoutException("The test never opened the gate.");
            if (Failing.Contains(jobId)) throw new InvalidOperationException("The job storage is down.");
            lock (_gate) _deleted.Add(jobId);
            return true;
        }
    }

    /// <summary>
    /// Job storage that must not be asked: a job waiting for deletion is answered from the deleter. (Not InMemoryStorage,
    /// whose constructor asks Hangfire's process-wide log provider for a logger, and another test's host may have left a
    /// disposed one there.)
    /// </summary>
    private sealed class UnaskedStorage : JobStorage
    {
        public override IMonitoringApi GetMonitoringApi() => throw new InvalidOperationException("The storage was asked.");

        public override IStorageConnection GetConnection() => throw new InvalidOperationException("The storage was asked.");
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Waited {Patience.TotalSeconds:0} s for {what}.");
            await Task.Delay(20);
        }
    }

    private static (HangfireJobDeleter Deleter, CapturedLogs Logs) Deleter(GatedClient client)
    {
        var logs = new CapturedLogs();
        var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        return (new HangfireJobDeleter(client, factory.CreateLogger<HangfireJobDeleter>()), logs);
    }

    [Fact]
    public async Task Unscheduling_returns_while_the_delete_is_still_blocked_and_the_job_no_longer_counts_as_live()
    {
        var client = new GatedClient();
        client.Open.Reset();
        var (deleter, _) = Deleter(client);
        var scheduler = new HangfireFollowUpScheduler(client, new UnaskedStorage(), deleter, TimeProvider.System);
        await deleter.StartAsync(CancellationToken.None);
        try
        {
            // Were the delete done in the caller, this would wait at the closed gate.
            await Task.Run(() => scheduler.Unschedule("job-1")).WaitAsync(Patience);

            Assert.Empty(client.Deleted);
            Assert.False(scheduler.IsLive("job-1"));
            Assert.True(deleter.IsWaiting("job-1"));

            client.Open.Set();
            await WaitForAsync(() => !deleter.IsWaiting("job-1"), "the delete to finish");
            Assert.Equal(["job-1"], client.Deleted);
        }
        finally
        {
            client.Open.Set();
            await deleter.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_job_unscheduled_again_before_its_delete_ran_is_deleted_once()
    {
        var client = new GatedClient();
        client.Open.Reset();
        var (deleter, _) = Deleter(client);
        await deleter.StartAsync(CancellationToken.None);
        try
        {
            deleter.Post("job-1");
            deleter.Post("job-2");
            deleter.Post("job-1");
            Assert.Equal(2, deleter.Waiting);

            client.Open.Set();
            await WaitForAsync(() => deleter.Waiting == 0, "both deletes");
            Assert.Equal(["job-1", "job-2"], client.Deleted);
        }
        finally
        {
            client.Open.Set();
            await deleter.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_failed_delete_is_logged_and_the_next_job_is_still_deleted()
    {
        var client = new GatedClient();
        client.Failing.Add("job-1");
        var (deleter, logs) = Deleter(client);
        await deleter.StartAsync(CancellationToken.None);
        try
        {
            deleter.Post("job-1");
            deleter.Post("job-2");

            await WaitForAsync(() => deleter.Waiting == 0, "both deletes to be tried");
            Assert.Equal(["job-2"], client.Deleted);
            Assert.Contains(logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("job-1", StringComparison.Ordinal)
                && l.Contains("The job storage is down.", StringComparison.Ordinal));
            Assert.False(deleter.IsWaiting("job-1"));
        }
        finally
        {
            await deleter.StopAsync(CancellationToken.None);
        }
    }
}
