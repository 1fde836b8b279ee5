using System.Diagnostics;
using System.Globalization;
using Dapper;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;
using PosSupport.Core.Tests.Support;
using PosSupport.Testing;

namespace PosSupport.Benchmarks;

/// <summary>
/// <c>followups [--count N] [--workers W]</c>: N follow-ups (default 10,000) falling due within the same minute, fired by
/// the real web host (a separate process) on a throwaway PostgreSQL 15 cluster. The rows are written straight into the
/// database while the host is stopped, as after a crash, and armed by the host's start-up sweep. Reports how long after
/// the minute began the last one fired and the lateness of each (fired − due), and as the baseline, measured in the same
/// run on the same cluster with the same worker count, the rate at which Hangfire.PostgreSql alone runs empty jobs.
/// </summary>
public static class FollowUpLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = Option(args, "--count", 10_000);
        var workers = Option(args, "--workers", 10);
        var lead = TimeSpan.FromSeconds(Option(args, "--lead-seconds", 90));
                Console.WriteLine($"followups: {count:N0} follow-ups due within one minute, {workers} Hangfire workers, PostgreSQL 15 (throwaway cluster)");

        var baseline = RawHangfireRate(PostgresServer.Instance.CreateDatabase("hangfire_raw"), count, workers);
        Console.WriteLine($"baseline: Hangfire.PostgreSql ran {count:N0} empty jobs in {baseline.TotalSeconds:F1} s ({count / baseline.TotalSeconds:F0} jobs/s)");

        var connectionString = PostgresServer.Instance.CreateDatabase("followups");
        using var data = new TempDirectory();
        // First start: migrate and publish the workflows; then stop, as if the process had gone.
        await using (var host = await ServerProcess.StartAsync(Host(connectionString, data.Path, workers)))
        {
        }

        var minute = await SeedAsync(connectionString, count, lead);
        Console.WriteLine($"seeded {count:N0} cases with a reminder each, due from {minute:HH:mm:ss} UTC for one minute");
        var started = Stopwatch.StartNew();
        await using (var host = await ServerProcess.StartAsync(Host(connectionString, data.Path, workers)))
        {
            Console.WriteLine($"host started again in {started.Elapsed.TotalSeconds:F1} s; its start-up sweep arms the rows");
            var deadline = minute + TimeSpan.FromMinutes(3);
            long done;
            while ((done = await ScalarAsync<long>(connectionString, "SELECT COUNT(*) FROM follow_ups WHERE status = 'done'")) < count
                   && DateTimeOffset.UtcNow < deadline)
                await Task.Delay(1000);
            Console.WriteLine($"{done:N0} of {count:N0} fired");
        }

        var lateness = (await QueryAsync<double>(connectionString,
            "SELECT EXTRACT(EPOCH FROM (fired_at - due_at))::float8 FROM follow_ups WHERE status = 'done' ORDER BY 1")).ToList();
        var lastFired = await ScalarAsync<DateTime?>(connectionString, "SELECT MAX(fired_at) FROM follow_ups");
        var reminders = await ScalarAsync<long>(connectionString, "SELECT COUNT(*) FROM outbox_messages WHERE template = 'evidence-missing'");
        var firedWithin = lastFired is { } last ? (new DateTimeOffset(last, TimeSpan.Zero) - minute).TotalSeconds : double.NaN;
        var rate = lateness.Count > 0 && firedWithin > 0 ? lateness.Count / firedWithin : 0;
        var baselineRate = count / baseline.TotalSeconds;

        Console.WriteLine();
        Console.WriteLine("| figure | value | bar |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| fired | {lateness.Count:N0} of {count:N0} (reminders written: {reminders:N0}) | all, once |");
        Console.WriteLine($"| last fired, after the minute began | {firedWithin:F1} s | ≤ 60 s |");
        Console.WriteLine($"| lateness p50 / p99 / max | {Percentile(lateness, 0.50):F2} / {Percentile(lateness, 0.99):F2} / {(lateness.Count > 0 ? lateness[^1] : double.NaN):F2} s | p99 ≤ 5 s |");
        Console.WriteLine($"| follow-ups fired per second (over the minute) | {rate:F0} | |");
        Console.WriteLine($"| baseline: Hangfire.PostgreSql empty jobs per second | {baselineRate:F0} | |");
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"count={count} workers={workers} fired={lateness.Count} reminders={reminders} fired_within_s={firedWithin:F1} lateness_p50_s={Percentile(lateness, 0.50):F2} lateness_p99_s={Percentile(lateness, 0.99):F2} baseline_jobs_per_s={baselineRate:F0} ratio_vs_baseline={(baselineRate > 0 ? (lateness.Count / Math.Max(firedWithin, 1)) / baselineRate : 0):F2}"));
        return lateness.Count == count && reminders == count ? 0 : 1;
    }

    private static ServerOptions Host(string connectionString, string dataDirectory, int workers) =>
        new("postgres", connectionString, dataDirectory,
            Settings: new Dictionary<string, string> { ["PosSupport__FollowUps__Workers"] = workers.ToString(CultureInfo.InvariantCulture) });

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>How long Hangfire.PostgreSql takes to run <paramref name="count"/> queued empty jobs with <paramref name="workers"/> workers.</summary>
    private static TimeSpan RawHangfireRate(string connectionString, int count, int workers)
    {
        GlobalConfiguration.Configuration.UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings();
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = "hangfire", PrepareSchemaIfNecessary = true, EnableLongPolling = true, UseSlidingInvisibilityTimeout = true,
            QueuePollInterval = TimeSpan.FromSeconds(1),
        };
        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options, null), options);
        var client = new BackgroundJobClient(storage);
        for (var i = 0; i < count; i++) client.Enqueue(() => EmptyJob.Run(i));
        var clock = Stopwatch.StartNew();
        using (new BackgroundJobServer(new BackgroundJobServerOptions { WorkerCount = workers, Queues = ["default"] }, storage))
        {
            // Counted by the jobs themselves: Hangfire keeps only the last hundred in its succeeded list.
            while (EmptyJob.Runs < count && clock.Elapsed < TimeSpan.FromMinutes(5)) Thread.Sleep(50);
            clock.Stop();
        }
        return clock.Elapsed;
    }

    private static async Task<DateTimeOffset> SeedAsync(string connectionString, int count, TimeSpan lead)
    {
        // The minute starts on a whole second after the lead that leaves the host time to start and arm everything.
        var now = DateTimeOffset.UtcNow;
        var minute = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero) + lead;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var merchant = Guid.NewGuid();
        await connection.ExecuteAsync("""
            INSERT INTO merchants (id, name, licence_number, mcc, category, phone, preferred_language, created_at)
            VALUES (@merchant, '负载测试商户', '91310000LOAD00001', '5812', 'restaurant', '13900000000', 'zh-CN', now());
            INSERT INTO cases (id, number, workflow_id, workflow_version, state, state_kind, priority, merchant_id, description, version, opened_at, updated_at)
            SELECT gen_random_uuid(), 'DF-2026-' || lpad(n::text, 6, '0'), 'data-fee-cancellation', 1, 'collecting-evidence', 'waiting-on-merchant', 'normal',
                   @merchant, '负载测试', 1, now(), now()
              FROM generate_series(1, @count) AS n;
            INSERT INTO case_events (case_id, seq, kind, actor, actor_id, at, visibility, data)
            SELECT id, 1, 'opened', 'system', 'load', now(), 'merchant', '{"state":"collecting-evidence"}' FROM cases;
            INSERT INTO follow_ups (id, case_id, state, follow_up_key, kind, template, due_at, repeats_left, status, created_at)
            SELECT gen_random_uuid(), id, 'collecting-evidence', 'collecting-evidence/0', 'remind', 'evidence-missing',
                   @minute + make_interval(secs => (row_number() OVER (ORDER BY id) % 60)), 0, 'pending', now()
              FROM cases;
            """, new { merchant, count, minute });
        return minute;
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return (await connection.ExecuteScalarAsync<T>(sql))!;
    }

    private static async Task<IEnumerable<T>> QueryAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return await connection.QueryAsync<T>(sql);
    }
}

public static class EmptyJob
{
    private static int _runs;

    public static int Runs => Volatile.Read(ref _runs);

    public static void Run(int number)
    {
        GC.KeepAlive(number);
        Interlocked.Increment(ref _runs);
    }
}
