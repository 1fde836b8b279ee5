using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Dashboard;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Server;
using Hangfire.States;
using MediatR;
using PosSupport.Core.Data;
using PosSupport.Core.FollowUps;

namespace PosSupport.Web.FollowUps;

/// <summary>
/// Hangfire as the product's clock (the database stays the truth): in-memory storage with SQLite (one node), its own
/// <c>hangfire</c> schema on PostgreSQL (several nodes; long polling, sliding invisibility timeout). Queues
/// <c>followups</c>, <c>webhooks</c> and <c>default</c>. Settings under <c>PosSupport:FollowUps</c>: <c>Workers</c>
/// (default 10), <c>PollingInterval</c> (how often due jobs are picked up, default 00:00:01), <c>JobParallelism</c> (how
/// many follow-ups one job fires at the same time: the follow-ups waking on the same second share a job, default 4).
/// </summary>
public static class FollowUpClock
{
    public const string FollowUpsQueue = "followups";
    public const string WebhooksQueue = "webhooks";
    public const string DefaultQueue = "default";
    public const string Section = "PosSupport:FollowUps";
    public const string SweepJobId = "follow-ups-sweep";

    public static IServiceCollection AddFollowUpClock(this IServiceCollection services, PosSupportOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Section);
        var workers = section.GetValue("Workers", 10);
        var polling = section.GetValue("PollingInterval", TimeSpan.FromSeconds(1));
        if (workers < 1) throw new InvalidOperationException($"{Section}:Workers must be at least 1 (was {workers}).");
        if (polling <= TimeSpan.Zero) throw new InvalidOperationException($"{Section}:PollingInterval must be positive (was {polling}).");
        var parallelism = section.GetValue("JobParallelism", 4);
        if (parallelism < 1) throw new InvalidOperationException($"{Section}:JobParallelism must be at least 1 (was {parallelism}).");
        services.AddSingleton(new FollowUpJobSettings(parallelism));

        // Storage, activator and clients belong to this host, not to Hangfire's process-wide defaults, so two hosts in one
        // process (tests, tools) never run each other's jobs. Registered before AddHangfire, whose defaults only fill gaps.
        var longPolling = section.GetValue("PostgresLongPolling", true);
        services.AddSingleton<JobStorage>(_ => CreateStorage(options, longPolling));
        services.AddSingleton<JobActivator>(provider => new AspNetCoreJobActivator(provider.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        services.AddHangfireServer((_, server) =>
        {
            server.Queues = [FollowUpsQueue, WebhooksQueue, DefaultQueue];
            server.WorkerCount = workers;
            server.SchedulePollingInterval = polling;
            // Jobs are short database transactions; stopping (Ctrl+C, a deployment) should not wait the default 15 s.
            server.ShutdownTimeout = TimeSpan.FromSeconds(5);
        });
        services.AddSingleton<FollowUpArmingLoop>();
        services.AddHostedService(provider => provider.GetRequiredService<FollowUpArmingLoop>());
        services.AddSingleton<HangfireJobDeleter>();
        services.AddHostedService(provider => provider.GetRequiredService<HangfireJobDeleter>());
        services.AddSingleton<IFollowUpScheduler, HangfireFollowUpScheduler>();
        services.AddHostedService<FollowUpSweeper>();
        return services;
    }

    /// <summary>
    /// The Hangfire dashboard at <c>/hangfire</c>, for signed-in administrators only (the dashboard's admin policy on the
    /// endpoint: anonymous visitors are sent to sign in, other roles are refused). Hangfire's own filters add nothing.
    /// </summary>
    public static IEndpointRouteBuilder MapFollowUpClock(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [],
            AsyncAuthorization = [],
            DashboardTitle = "PosSupport jobs",
            AppPath = "/",
        }).RequireAuthorization(Dashboard.StaffPolicies.Admin);
        return endpoints;
    }

    private static JobStorage CreateStorage(PosSupportOptions options, bool longPolling)
    {
        if (options.Database.Provider != DatabaseProvider.Postgres)
            // Guid job ids: the default counts from 1 again after a restart, so a follow-up row still naming an id from before the
            // crash could find a new, unrelated job under it and be taken for armed, and its reminder would wait for that job.
            // Finished and deleted jobs are kept 20 minutes (the storage's default is 3 hours): they live in the host's memory,
            // which would otherwise grow with the command rate for three hours before levelling off. The database, not
            // Hangfire, is the record of what fired.
            return new InMemoryStorage(new InMemoryStorageOptions { IdType = InMemoryStorageIdType.Guid, MaxExpirationTime = TimeSpan.FromMinutes(20) });
        var storage = new PostgreSqlStorageOptions
        {
            SchemaName = "hangfire",
            PrepareSchemaIfNecessary = true,
            // LISTEN/NOTIFY wakes a worker as soon as a job is queued; PosSupport:FollowUps:PostgresLongPolling=false
            // falls back to polling the queue every second.
            EnableLongPolling = longPolling,
            // A job being run when its node died (kill -9, power loss) is taken up again once it has been invisible this
            // long; the default is 30 minutes, so a follow-up in flight at a crash fired half an hour late (a CI crash
            // test caught two). The running node renews its claim every fifth of it (sliding), so a long job is not
            // taken twice; a job run twice anyway finds its rows done or owned by another job and does nothing.
            UseSlidingInvisibilityTimeout = true,
            InvisibilityTimeout = TimeSpan.FromMinutes(1),
            // A lock left by a node that died holding it counts as released once it is this old; the default is 10 minutes.
            // The delayed-job scheduler holds its own lock while it waits for a job's state lock, so one job lock left by a
            // kill -9 in the middle of a state change stopped every scheduled follow-up on every node for ten minutes (a CI
            // crash test caught it). Our locks are held for milliseconds, except the recurring sweeps and the idempotency
            // purge: one that runs longer than this may run on two nodes at once, which each of them is written to survive.
            DistributedLockTimeout = TimeSpan.FromMinutes(1),
            QueuePollInterval = TimeSpan.FromSeconds(1),
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(options.Database.ConnectionString, storage, null), storage);
    }
}

/// <summary>
/// Schedules follow-up jobs on Hangfire, carrying only the row id. Deletions go to <see cref="HangfireJobDeleter"/>, so the
/// request that cancelled a follow-up never waits for Hangfire's job lock.
/// </summary>
public sealed class HangfireFollowUpScheduler(IBackgroundJobClient client, JobStorage storage, HangfireJobDeleter deleter, TimeProvider clock)
    : IFollowUpScheduler
{
    private static readonly HashSet<string> LiveStates = new(StringComparer.Ordinal) { "Scheduled", "Enqueued", "Processing", "Awaiting" };

    public string? Schedule(Guid followUpId, DateTimeOffset dueAt)
    {
        if (dueAt <= clock.GetUtcNow())
            return client.Enqueue<FollowUpJob>(job => job.RunAsync(followUpId, null));
        // Hangfire keeps scheduled times in whole seconds and may start a job up to a second before its instant;
        // round up so a job never runs early (one that did would only re-arm itself).
        return client.Schedule<FollowUpJob>(job => job.RunAsync(followUpId, null), FollowUpArming.WakeAt(dueAt));
    }

    public void Unschedule(string jobId) => deleter.Post(jobId);

    public bool Reschedule(string jobId, DateTimeOffset dueAt) => client.ChangeState(jobId,
        dueAt <= clock.GetUtcNow() ? new EnqueuedState() : new ScheduledState(FollowUpArming.WakeAt(dueAt).UtcDateTime), ScheduledState.StateName);

    public bool IsLive(string jobId)
    {
        // Going to be deleted: a follow-up that joined it now would lose its wake-up.
        if (deleter.IsWaiting(jobId)) return false;
        using var connection = storage.GetConnection();
        return connection.GetJobData(jobId)?.State is { } state && LiveStates.Contains(state);
    }
}

/// <summary>How many follow-ups one job fires at the same time (<c>PosSupport:FollowUps:JobParallelism</c>).</summary>
public sealed record FollowUpJobSettings(int Parallelism);

/// <summary>
/// The Hangfire job of the follow-ups waking on one second. Its only argument is the id of the row it was scheduled
/// for (Hangfire fills in the context); it fires every pending row that names it.
/// </summary>
public sealed class FollowUpJob(FollowUpJobRunner runner, FollowUpJobSettings settings)
{
    [Queue(FollowUpClock.FollowUpsQueue)]
    [AutomaticRetry(Attempts = 5)]
    public async Task RunAsync(Guid followUpId, PerformContext? context) =>
        await runner.RunAsync(followUpId, context?.BackgroundJob.Id, settings.Parallelism, context?.CancellationToken.ShutdownToken ?? CancellationToken.None)
            .ConfigureAwait(false);
}

/// <summary>The sweeper as a recurring Hangfire job (every minute, on one node at a time).</summary>
public sealed class SweepJob(IMediator mediator)
{
    [Queue(FollowUpClock.FollowUpsQueue)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync() => await mediator.Send(new SweepFollowUps.Command()).ConfigureAwait(false);
}

/// <summary>
/// At start-up: registers the every-minute sweep and runs one pass at once, so follow-ups whose jobs were lost with
/// the last process (in-memory storage, a crash before arming) are armed, and overdue ones fire, before the first minute.
/// The sweep is also what arms follow-ups written more than <see cref="FollowUpArming.Reach"/> ahead, as they come within it.
/// </summary>
public sealed partial class FollowUpSweeper(IServiceScopeFactory scopes, IServiceProvider services, ILogger<FollowUpSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Resolved here, not in the constructor: a Hangfire problem must never keep the host from starting.
            services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<SweepJob>(FollowUpClock.SweepJobId, job => job.RunAsync(), Cron.Minutely());
            await using var scope = scopes.CreateAsyncScope();
            var result = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new SweepFollowUps.Command(), stoppingToken).ConfigureAwait(false);
            Swept(logger, result.Pending, result.Armed, result.Overdue);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            SweepFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Follow-ups at start-up: {Pending} pending within the next quarter hour, {Armed} armed ({Overdue} overdue, firing now)")]
    private static partial void Swept(ILogger logger, int pending, int armed, int overdue);

    [LoggerMessage(Level = LogLevel.Error, Message = "The start-up sweep of follow-ups failed; the every-minute sweep will retry")]
    private static partial void SweepFailed(ILogger logger, Exception exception);
}
