using Dapper;
using Hangfire;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using PosSupport.Core.Cases;
using PosSupport.Core.Data;
using PosSupport.Core.Demo;
using PosSupport.Core.FollowUps;
using PosSupport.Core.Pipeline;
using PosSupport.Web.FollowUps;

namespace PosSupport.Web.Tests;

/// <summary>
/// Follow-ups on the real clock: the web host with its Hangfire server (in-memory storage with SQLite, the hangfire schema
/// with PostgreSQL) and a copy of the workflows whose evidence reminders are seconds apart. Waits are polls with generous
/// limits; nothing asserts that something happened "not before" a time (Hangfire counts in whole seconds).
/// </summary>
public abstract class FollowUpClockTests(string provider)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    /// <summary>The shipped workflows with the evidence reminders (and nothing else) changed by <paramref name="reminders"/>.</summary>
    internal static TemporaryDirectory FastWorkflows(string reminders)
    {
        var copy = TemporaryDirectory.Create();
        foreach (var file in Directory.EnumerateFiles(ShippedWorkflows.Directory, "*.json"))
            File.WriteAllText(Path.Combine(copy.Path, Path.GetFileName(file)), File.ReadAllText(file)
                .Replace("""{"after": "P1D", "remind": "evidence-missing", "repeat": 3, "every": "P1D"}""", reminders, StringComparison.Ordinal));
        Directory.CreateDirectory(Path.Combine(copy.Path, "calendars"));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(ShippedWorkflows.Directory, "calendars")))
            File.Copy(file, Path.Combine(copy.Path, "calendars", Path.GetFileName(file)));
        return copy;
    }

    internal static Dictionary<string, string> Settings(string provider, string? workflows, PostgresDatabase? database)
    {
        var settings = new Dictionary<string, string>();
        if (workflows is not null) settings["PosSupport:Workflows:Directory"] = workflows;
        if (provider == "postgres")
        {
            settings["PosSupport:Database:Provider"] = "postgres";
            settings["ConnectionStrings:PosSupport"] = database!.ConnectionString;
        }
        return settings;
    }

    /// <summary>A data-fee case opened by an agent on the phone: it waits in collecting-evidence.</summary>
    internal static async Task<Guid> OpenDataFeeCaseAsync(ApiHost host, bool seed)
    {
        await using var scope = host.Services.CreateAsyncScope();
        if (seed) await DemoData.SeedAsync(scope.ServiceProvider, CancellationToken.None);
        var database = scope.ServiceProvider.GetRequiredService<CaseDatabase>();
        Guid merchant;
        await using (var connection = await database.OpenAsync(CancellationToken.None))
            merchant = await connection.ExecuteScalarAsync<Guid>(
                "SELECT m.id FROM merchants m JOIN contracts c ON c.merchant_id = m.id WHERE c.data_fee_clause = @yes ORDER BY m.id LIMIT 1", new { yes = true });
        var opened = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new OpenCase.Command(
            "data-fee-cancellation", merchant, "流量费被扣了99元", Caller.Agent(Guid.NewGuid()), ClaimAmountFen: 9_900, ClaimChargedOn: new DateOnly(2026, 11, 1)));
        Assert.Equal("collecting-evidence", opened.State);
        return opened.Id;
    }

    private static async Task<T> ScalarAsync<T>(ApiHost host, string sql, object param)
    {
        await using var connection = await host.Services.GetRequiredService<CaseDatabase>().OpenAsync(CancellationToken.None);
        return (await connection.ExecuteScalarAsync<T>(sql, param))!;
    }

    private static async Task<IReadOnlyList<T>> QueryAsync<T>(ApiHost host, string sql, object param)
    {
        await using var connection = await host.Services.GetRequiredService<CaseDatabase>().OpenAsync(CancellationToken.None);
        return [.. await connection.QueryAsync<T>(sql, param)];
    }

    internal static Task<long> RemindersAsync(ApiHost host, Guid caseId) => ScalarAsync<long>(host,
        "SELECT COUNT(*) FROM case_events WHERE case_id = @caseId AND kind = 'message-queued' AND data LIKE '%evidence-missing%'", new { caseId });

    internal static async Task WaitForAsync(Func<Task<bool>> condition, string what, ApiHost? host = null, Guid? caseId = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Waited {Patience.TotalSeconds:0} s for {what}." + await DescribeAsync(host, caseId));
            await Task.Delay(200);
        }
    }

    // What the follow-up rows and their jobs say, for a failure message.
    private static async Task<string> DescribeAsync(ApiHost? host, Guid? caseId)
    {
        if (host is null || caseId is null) return "";
        await using var connection = await host.Services.GetRequiredService<CaseDatabase>().OpenAsync(CancellationToken.None);
        var rows = await connection.QueryAsync<(string Key, string Status, DateTimeOffset Due, string? Job, long Attempt)>(
            "SELECT follow_up_key, status, due_at, job_id, attempt FROM follow_ups WHERE case_id = @caseId AND kind = 'remind'", new { caseId });
        var jobStorage = host.Services.GetRequiredService<JobStorage>();
        var monitor = jobStorage.GetMonitoringApi();
        var servers = string.Join(", ", monitor.Servers().Select(x => $"{x.Name} [{string.Join("/", x.Queues)}] w{x.WorkersCount} hb {x.Heartbeat:O}"));
        var processing = string.Join(", ", monitor.ProcessingJobs(0, 50).Select(j => $"{j.Key} {j.Value.Job?.Method.Name} on {j.Value.ServerId} since {j.Value.StartedAt:O}"));
        var enqueued = monitor.EnqueuedCount("followups");
        using var storage = jobStorage.GetConnection();
        var pg = "";
        if (host.Services.GetRequiredService<CaseDatabase>().Provider == DatabaseProvider.Postgres)
        {
            var queue = await connection.QueryAsync<string>("SELECT jobid || ' ' || queue || ' ' || COALESCE(fetchedat::text, '-') FROM hangfire.jobqueue");
            var locks = await connection.QueryAsync<string>("SELECT resource || ' ' || acquired::text FROM hangfire.lock");
            var states = await connection.QueryAsync<string>("SELECT s.jobid || ' ' || s.name || ' ' || s.createdat::text FROM hangfire.state s ORDER BY s.id DESC LIMIT 8");
            pg = $" Queue rows: {string.Join(", ", queue)}. Locks: {string.Join(", ", locks)}. Last states: {string.Join(", ", states)}.";
        }
        var deleter = host.Services.GetRequiredService<HangfireJobDeleter>();
        var loop = host.Services.GetRequiredService<FollowUpArmingLoop>();
        pg += $" Jobs waiting to be deleted: {deleter.Waiting}; rows waiting to be armed: {loop.Waiting}.";
        return pg + $" Now {DateTimeOffset.UtcNow:O}. Storage {jobStorage}. Servers: {servers}. Processing: {processing}. Enqueued: {enqueued}. Rows: " + string.Join("; ", rows.Select(r =>
            $"{r.Key} {r.Status} due {r.Due:O} attempt {r.Attempt} job {r.Job} ({(r.Job is null ? "-" : storage.GetJobData(r.Job)?.State ?? "gone")})"));
    }

    [Fact]
    public async Task Evidence_reminders_seconds_apart_reach_the_timeline_through_the_real_clock_and_stop_after_the_repeat()
    {
        using var workflows = FastWorkflows("""{"after": "PT2S", "remind": "evidence-missing", "repeat": 1, "every": "PT2S"}""");
        using var data = TemporaryDirectory.Create();
        var database = provider == "postgres" ? PostgresDatabase.Create() : null;
        await using var host = ApiHost.On(data.Path, Settings(provider, workflows.Path, database));
        var caseId = await OpenDataFeeCaseAsync(host, seed: database is not null);

        await WaitForAsync(async () => await RemindersAsync(host, caseId) >= 2, "two evidence reminders", host, caseId);
        await Task.Delay(TimeSpan.FromSeconds(4));

        Assert.Equal(2, await RemindersAsync(host, caseId));
        Assert.Equal("done", await ScalarAsync<string>(host,
            "SELECT status FROM follow_ups WHERE case_id = @caseId AND template = 'evidence-missing'", new { caseId }));
    }

    [Fact]
    public async Task A_follow_up_committed_without_a_job_is_armed_and_fired_by_the_sweeper()
    {
        using var data = TemporaryDirectory.Create();
        var database = provider == "postgres" ? PostgresDatabase.Create() : null;
        await using var host = ApiHost.On(data.Path, Settings(provider, null, database));
        var caseId = await OpenDataFeeCaseAsync(host, seed: database is not null);
        // As if the process died between the commit and arming: a pending row that no job will ever wake.
        var lost = Guid.CreateVersion7();
        await using (var connection = await host.Services.GetRequiredService<CaseDatabase>().OpenAsync(CancellationToken.None))
            await connection.ExecuteAsync("""
                INSERT INTO follow_ups (id, case_id, state, follow_up_key, kind, template, due_at, repeats_left, status, created_at)
                VALUES (@lost, @caseId, 'collecting-evidence', 'lost', 'remind', 'evidence-missing', @due, 0, 'pending', @due)
                """, new { lost, caseId, due = DateTimeOffset.UtcNow });

        // The every-minute sweep, run now rather than waiting for the minute to turn.
        host.Services.GetRequiredService<IRecurringJobManager>().Trigger(FollowUpClock.SweepJobId);

        await WaitForAsync(async () => await ScalarAsync<string>(host, "SELECT status FROM follow_ups WHERE id = @lost", new { lost }) == "done",
            "the lost follow-up to fire", host, caseId);
        Assert.Equal(1, await RemindersAsync(host, caseId));
        Assert.NotNull(await ScalarAsync<string?>(host, "SELECT job_id FROM follow_ups WHERE id = @lost", new { lost }));
    }

    [Fact]
    public async Task Withdrawing_a_case_deletes_the_jobs_of_its_cancelled_follow_ups()
    {
        // Reminders ten minutes apart: within FollowUpArming.Reach, so they get a job as soon as they are written.
        using var workflows = FastWorkflows("""{"after": "PT10M", "remind": "evidence-missing", "repeat": 3, "every": "PT10M"}""");
        using var data = TemporaryDirectory.Create();
        var database = provider == "postgres" ? PostgresDatabase.Create() : null;
        await using var host = ApiHost.On(data.Path, Settings(provider, workflows.Path, database));
        if (database is not null)
            await using (var seeding = host.Services.CreateAsyncScope())
                await DemoData.SeedAsync(seeding.ServiceProvider, CancellationToken.None);
        // Rows waking on the same second share a job, and the demo cases were opened within the same second as this one will
        // be: with theirs still pending, this case's jobs would be shared and rightly kept. Once the demo's rows are armed,
        // stop them, so that every job of this case is its own.
        var loop = host.Services.GetRequiredService<FollowUpArmingLoop>();
        await WaitForAsync(() => Task.FromResult(loop.Waiting == 0), "the demo data's follow-ups to be armed");
        await using (var connection = await host.Services.GetRequiredService<CaseDatabase>().OpenAsync(CancellationToken.None))
            await connection.ExecuteAsync("UPDATE follow_ups SET status = 'cancelled' WHERE status = 'pending'");
        var caseId = await OpenDataFeeCaseAsync(host, seed: false);
        var storage = host.Services.GetRequiredService<JobStorage>();
        string? StateOf(string job)
        {
            using var connection = storage.GetConnection();
            return connection.GetJobData(job)?.State;
        }
        // The evidence reminder, armed in the background; the evidence time-out and the SLA clocks, hours or days away, wait
        // for the sweep to find them within reach.
        const string reminderArmed = """
            SELECT COUNT(*) FROM follow_ups WHERE case_id = @caseId AND status = 'pending' AND template = 'evidence-missing' AND job_id IS NOT NULL
            """;
        await WaitForAsync(async () => await ScalarAsync<long>(host, reminderArmed, new { caseId }) == 1, "the case's reminder to be armed", host, caseId);
        var jobs = await QueryAsync<string>(host, "SELECT DISTINCT job_id FROM follow_ups WHERE case_id = @caseId AND status = 'pending' AND job_id IS NOT NULL",
            new { caseId });
        Assert.NotEmpty(jobs);
        Assert.All(jobs, job => Assert.Equal("Scheduled", StateOf(job)));

        await using (var scope = host.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new FireTrigger.Command(
                caseId, "withdraw", new Dictionary<string, string>(), Caller.Agent(Guid.NewGuid())));

        Assert.Empty(await QueryAsync<string>(host, "SELECT id FROM follow_ups WHERE case_id = @caseId AND status = 'pending'", new { caseId }));
        await WaitForAsync(() => Task.FromResult(jobs.All(job => StateOf(job) == "Deleted")), "the case's jobs to be deleted", host, caseId);
    }

    [Fact]
    public async Task A_host_stopped_before_a_reminder_was_due_sends_it_once_after_it_starts_again()
    {
        using var workflows = FastWorkflows("""{"after": "PT3S", "remind": "evidence-missing"}""");
        using var data = TemporaryDirectory.Create();
        var database = provider == "postgres" ? PostgresDatabase.Create() : null;
        var settings = Settings(provider, workflows.Path, database);
        Guid caseId;
        await using (var first = ApiHost.On(data.Path, settings))
        {
            caseId = await OpenDataFeeCaseAsync(first, seed: database is not null);
            Assert.Equal(0, await RemindersAsync(first, caseId));
        }
        // The reminder falls due while nothing runs; with in-memory storage its job is gone with the process.
        await Task.Delay(TimeSpan.FromSeconds(4));

        await using var second = ApiHost.On(data.Path, settings);
        await WaitForAsync(async () => await RemindersAsync(second, caseId) >= 1, "the reminder after the restart", second, caseId);
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.Equal(1, await RemindersAsync(second, caseId));
    }
}

// One at a time: with an in-memory Hangfire server and a PostgreSQL one in the same process, a PostgreSQL worker was seen to
// fetch a job and never start it (2 runs in 5). Production runs one host per process; these tests keep to that.
[Collection(FollowUpClockGroup.Name)]
public sealed class FollowUpClockOnSqlite() : FollowUpClockTests("sqlite");

[Collection(FollowUpClockGroup.Name)]
public sealed class FollowUpClockOnPostgres() : FollowUpClockTests("postgres");

/// <summary>Hangfire's PostgreSQL storage after a node died holding one of its locks (kill -9 in the middle of a state change).</summary>
[Collection(FollowUpClockGroup.Name)]
public sealed class HangfireLocksOnPostgres
{
    [Fact]
    public async Task A_scheduler_lock_left_by_a_node_killed_over_a_minute_ago_does_not_hold_back_a_reminder_due_in_seconds()
    {
        using var workflows = FollowUpClockTests.FastWorkflows("""{"after": "PT5S", "remind": "evidence-missing"}""");
        using var data = TemporaryDirectory.Create();
        var database = PostgresDatabase.Create();
        await using var host = ApiHost.On(data.Path, FollowUpClockTests.Settings("postgres", workflows.Path, database));
        _ = host.Services.GetRequiredService<JobStorage>();
        // The lock the delayed-job scheduler holds while it moves due jobs to their queue, as a node killed at that moment
        // leaves it, 70 s ago. Taken the moment the running scheduler lets go of it between its one-second polls.
        await using (var connection = await host.Services.GetRequiredService<CaseDatabase>().OpenAsync(CancellationToken.None))
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (await connection.ExecuteAsync("""
                       INSERT INTO hangfire.lock (resource, acquired) VALUES ('hangfire:locks:schedulepoller', now() - interval '70 seconds')
                       ON CONFLICT DO NOTHING
                       """) == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the scheduler never let go of its lock");
                await Task.Delay(20);
            }
        }

        var caseId = await FollowUpClockTests.OpenDataFeeCaseAsync(host, seed: true);

        await FollowUpClockTests.WaitForAsync(async () => await FollowUpClockTests.RemindersAsync(host, caseId) >= 1,
            "the reminder, with the dead node's lock in the way", host, caseId);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FollowUpClockGroup
{
    public const string Name = "follow-up clock";
}
