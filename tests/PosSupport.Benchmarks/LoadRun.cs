using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using PosSupport.Core.Tests.Support;
using PosSupport.Testing;

namespace PosSupport.Benchmarks;

/// <summary>
/// <c>load --provider sqlite|postgres --clients N --seconds S [--warmup W] [--compare-pgbench] [--url URL]</c>: N clients each drive
/// whole data-fee disputes over the REST API, one case after another (open, a merchant message, three evidence uploads,
/// three staff reviews, assess, offer, accept, close), as a channel and an agent whose keys the driver creates. Phase 1
/// (closed loop) gives the maximum commands (POSTs) per second; phase 2 offers half that rate open-loop — commands
/// start on a fixed schedule whoever is free, and latency counts from the scheduled start, so a stall is not hidden —
/// and reports its p99. With <c>--compare-pgbench</c> (PostgreSQL), pgbench's simple-update TPS on the same cluster in
/// the same run is the baseline. <c>--url</c> targets a running host; then <c>--data-dir</c> (SQLite) or
/// <c>--connection</c> (PostgreSQL) names its database, for the keys and merchant ids. With <c>--soak-minutes M [--rate R]</c>
/// it instead holds R commands a second for M minutes and reports the host's memory once a minute and its trend. With
/// <c>--statements</c> (PostgreSQL, a host the driver starts) a last closed-loop phase of 5 s with one client runs with the
/// server logging every statement, and the statements per command are reported by origin (<see cref="StatementCensus"/>).
/// </summary>
public static class LoadRun
{
    private const string PgBin = "/usr/lib/postgresql/15/bin";

    public static async Task<int> RunAsync(string[] arguments)
    {
        var args = new DriverArgs(arguments);
        var provider = args.Provider();
        var clients = args.Number("--clients", 4);
        var seconds = args.Number("--seconds", 30);
        var comparePgbench = args.Flag("--compare-pgbench");
        if (comparePgbench && provider != "postgres") throw new ArgumentException("--compare-pgbench needs --provider postgres.");
        var url = args.Text("--url");
        var census = args.Flag("--statements");
        if (census && (provider != "postgres" || url is not null))
            throw new ArgumentException("--statements reads the log of the PostgreSQL cluster the driver starts: give --provider postgres and leave out --url.");

        Console.WriteLine($"load: {clients} clients, {seconds} s per phase, {provider}; machine: {Stats.Machine()}");
        using var data = new TempDirectory();
        ServerOptions host;
        if (url is null)
        {
            var connection = provider == "postgres" ? PostgresServer.Instance.CreateDatabase("load") : null;
            host = new ServerOptions(provider, connection, data.Path, Settings: new Dictionary<string, string>
            {
                // The driver's two clients make every request: the default 600 a minute would be the figure measured.
                ["PosSupport__Api__RateLimitPermits"] = "100000000",
            });
            // SQLite seeds the demo data on its first start; PostgreSQL is seeded by the verb.
            if (provider == "postgres") await ServerProcess.RunVerbAsync(host, ["seed-demo"]);
        }
        else
        {
            host = new ServerOptions(provider, args.Text("--connection"), args.Text("--data-dir") ?? data.Path);
        }

        await using var server = url is null ? await ServerProcess.StartAsync(host) : null;
        var baseAddress = server?.BaseAddress ?? new Uri(url!.TrimEnd('/') + "/");
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var channelKey = await ServerProcess.CreateApiKeyAsync(host, $"load-app-{suffix}", "channel");
        var agentKey = await ServerProcess.CreateApiKeyAsync(host, $"load-crm-{suffix}", "agent");
        var merchants = DriverDatabase.MerchantsWithContracts(host);
        if (merchants.Count == 0) throw new InvalidOperationException("The database has no merchant with a contract: seed the demo data first.");
        Console.WriteLine($"host at {baseAddress} ({(server is null ? "given" : $"started in {server.StartedIn.TotalSeconds:F1} s")}); {merchants.Count} merchants with contracts");

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = new Uri(baseAddress, "api/v1/"), Timeout = TimeSpan.FromSeconds(60),
        };
        var keys = new Keys(channelKey, agentKey);

        // Warm-up: JIT (tiered compilation re-compiles hot code for a good while after start), connection pools and caches,
        // so phase 1 measures the steady state.
        await RunPhaseAsync(http, keys, merchants, clients, TimeSpan.FromSeconds(args.Number("--warmup", 30)), pacer: null);

        if (args.Number("--soak-minutes", 0) is > 0 and var minutes)
        {
            if (server is null) throw new ArgumentException("--soak-minutes samples the memory of the host it starts: leave out --url.");
            return await SoakAsync(http, keys, merchants, server, provider, minutes, args.Number("--rate", 50), clients * 2);
        }

        var writerBefore = provider == "sqlite" ? await WriterHeldAsync(http, baseAddress) : default;
        var cpuBefore = server is null ? 0 : CpuSeconds(server.ProcessId);
        var driverCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var closed = await RunPhaseAsync(http, keys, merchants, clients, TimeSpan.FromSeconds(seconds), pacer: null);
        var maxRate = closed.Log.Count / closed.Elapsed.TotalSeconds;
        // The host's own CPU time per command: unlike the rate, it hardly moves when other work shares the machine.
        var cpuMsPerCommand = server is null ? double.NaN : (CpuSeconds(server.ProcessId) - cpuBefore) * 1000 / Math.Max(1, closed.Log.Count);
        // The driver shares the machine: what it spends per command is CPU the host cannot have.
        var driverCpuMsPerCommand = (Process.GetCurrentProcess().TotalProcessorTime - driverCpuBefore).TotalMilliseconds / Math.Max(1, closed.Log.Count);
        Report("phase 1: closed loop", clients, closed);
        var writerAfter = provider == "sqlite" ? await WriterHeldAsync(http, baseAddress) : default;
        var writerHeldMs = writerAfter.Count > writerBefore.Count ? (writerAfter.SumMs - writerBefore.SumMs) / (writerAfter.Count - writerBefore.Count) : double.NaN;
        if (provider == "sqlite")
            Console.WriteLine(Stats.Invariant(
                $"SQLite writer: {writerAfter.Count - writerBefore.Count} write transactions, held {writerHeldMs:F2} ms each on average: at most {1000 / writerHeldMs:F0} a second, one at a time"));

        var halfRate = maxRate / 2;
        // Twice the clients: enough that a slow answer does not hold the schedule up, few enough that cases still finish and
        // the mix of commands stays that of phase 1.
        var openWorkers = clients * 2;
        var open = await RunPhaseAsync(http, keys, merchants, openWorkers, TimeSpan.FromSeconds(seconds), new Pacer(halfRate));
        Report(Stats.Invariant($"phase 2: open loop at {halfRate:F0} commands/s (half of phase 1), {openWorkers} workers"), openWorkers, open);

        string? statements = null;
        if (census)
        {
            var (counts, commands) = await CensusAsync(http, keys, merchants, host.ConnectionString!, TimeSpan.FromSeconds(5));
            var total = counts.Values.Sum();
            Console.WriteLine(Stats.Invariant($"statements PostgreSQL ran for {commands} commands (5 s, one client, log_statement = all):"));
            Console.WriteLine("| origin | statements | per command |");
            Console.WriteLine("|---|---:|---:|");
            foreach (var origin in StatementCensus.Origins)
                Console.WriteLine(Stats.Invariant($"| {origin} | {counts[origin]:N0} | {(double)counts[origin] / Math.Max(1, commands):F2} |"));
            Console.WriteLine(Stats.Invariant($"| total | {total:N0} | {(double)total / Math.Max(1, commands):F1} |"));
            statements = Stats.Invariant($" statements_per_command={(double)total / Math.Max(1, commands):F1} statements_by_origin=")
                         + string.Join(",", StatementCensus.Origins.Select(o => Stats.Invariant($"{o}:{(double)counts[o] / Math.Max(1, commands):F2}")));
        }

        double? pgbenchTps = null;
        if (comparePgbench)
        {
            // Same cluster, same run; the host stays up but idle.
            pgbenchTps = await PgbenchAsync(host.ConnectionString!, seconds);
            Console.WriteLine(Stats.Invariant($"pgbench -N -c 4 -j 2 -T {seconds} on the same cluster: {pgbenchTps:F0} TPS"));
        }

        var all = closed.Log.All();
        var openAll = open.Log.All();
        var ratio = pgbenchTps is { } tps && tps > 0 ? maxRate / tps : double.NaN;
        var failures = closed.Log.Failures + open.Log.Failures;
        Console.WriteLine();
        Console.WriteLine(Stats.Invariant(
            $"provider={provider} clients={clients} seconds={seconds} commands={closed.Log.Count} commands_per_s={maxRate:F0} p50_ms={Stats.Percentile(all, 0.50):F2} p95_ms={Stats.Percentile(all, 0.95):F2} p99_ms={Stats.Percentile(all, 0.99):F2} half_load_per_s={open.Log.Count / open.Elapsed.TotalSeconds:F0} half_load_p99_ms={Stats.Percentile(openAll, 0.99):F2} host_cpu_ms_per_command={cpuMsPerCommand:F2} driver_cpu_ms_per_command={driverCpuMsPerCommand:F2}{(provider == "sqlite" ? Stats.Invariant($" writer_held_ms={writerHeldMs:F2}") : "")} lifecycles={closed.Lifecycles} failures={failures}{(pgbenchTps is { } t ? Stats.Invariant($" pgbench_tps={t:F0} ratio_vs_pgbench={ratio:F2}") : "")}{statements}"));
        return failures == 0 ? 0 : 1;
    }

    private sealed record Keys(string Channel, string Agent);

    /// <summary>
    /// One client's closed loop for <paramref name="duration"/> with the cluster logging every statement; returns the
    /// statements by origin and the commands sent. Logging slows the phase: its rate is not reported.
    /// </summary>
    private static async Task<(Dictionary<string, int> Counts, long Commands)> CensusAsync(HttpClient http, Keys keys, List<Guid> merchants,
        string connectionString, TimeSpan duration)
    {
        var log = PostgresServer.Instance.LogFile;
        await LogStatementsAsync(connectionString, true);
        long start;
        PhaseResult phase;
        try
        {
            start = new FileInfo(log).Length;
            phase = await RunPhaseAsync(http, keys, merchants, 1, duration, pacer: null);
        }
        finally
        {
            await LogStatementsAsync(connectionString, false);
        }
        await using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        stream.Seek(start, SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (await reader.ReadLineAsync() is { } line) lines.Add(line);
        return (StatementCensus.Classify(lines), phase.Log.Count);
    }

    // ALTER SYSTEM and a reload: unlike ALTER DATABASE, it reaches the host's pooled sessions that are already open.
    private static async Task LogStatementsAsync(string connectionString, bool on)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var command = new NpgsqlCommand(on ? "ALTER SYSTEM SET log_statement = 'all'" : "ALTER SYSTEM RESET log_statement", connection))
            await command.ExecuteNonQueryAsync();
        await using (var reload = new NpgsqlCommand("SELECT pg_reload_conf()", connection))
            await reload.ExecuteScalarAsync();
        // Each backend takes the new setting at its next command; give them a moment.
        await Task.Delay(500);
    }

    /// <summary>
    /// The host's <c>possupport.sqlite.writer.held</c> histogram from its Prometheus endpoint (loopback, where the driver
    /// runs): count and sum so far, to difference over a phase.
    /// </summary>
    private static async Task<(long Count, double SumMs)> WriterHeldAsync(HttpClient http, Uri baseAddress)
    {
        var text = await http.GetStringAsync(new Uri(baseAddress, "metrics"));
        return ((long)Sum(text, "possupport_sqlite_writer_held", "_count"), Sum(text, "possupport_sqlite_writer_held", "_sum"));
    }

    // The sum over every series (all labels) of the metric whose name starts with prefix and ends with suffix.
    private static double Sum(string scrape, string prefix, string suffix)
    {
        double total = 0;
        foreach (var line in scrape.Split('\n'))
        {
            if (!line.StartsWith(prefix, StringComparison.Ordinal) || !line.Split('{', ' ')[0].EndsWith(suffix, StringComparison.Ordinal)) continue;
            total += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }
        return total;
    }

    /// <summary>
    /// <c>--soak-minutes M --rate R</c>: R commands a second, open loop, for M minutes, one row a minute with the host's
    /// resident memory. Memory counts as flat when the least-squares trend of resident memory over the second half of the
    /// run adds less than 5 % of that half's mean an hour.
    /// </summary>
    private static async Task<int> SoakAsync(HttpClient http, Keys keys, List<Guid> merchants, ServerProcess server, string provider, int minutes, int rate,
        int workers)
    {
        Console.WriteLine(Stats.Invariant($"soak: {rate} commands/s open loop for {minutes} min, {workers} workers; resident memory of the host once a minute"));
        Console.WriteLine("| minute | commands/s | p99 ms | failures | RSS MB | managed heap MB |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        var samples = new List<(double Minute, double RssMb)>();
        var heaps = new List<(double Minute, double HeapMb)>();
        long failures = 0, commands = 0;
        for (var minute = 1; minute <= minutes; minute++)
        {
            var phase = await RunPhaseAsync(http, keys, merchants, workers, TimeSpan.FromMinutes(1), new Pacer(rate));
            var rss = ResidentMegabytes(server.ProcessId);
            var heap = await ManagedHeapMegabytesAsync(http, server.BaseAddress);
            samples.Add((minute, rss));
            heaps.Add((minute, heap));
            failures += phase.Log.Failures;
            commands += phase.Log.Count;
            Console.WriteLine(Stats.Invariant(
                $"| {minute} | {phase.Log.Count / phase.Elapsed.TotalSeconds:F0} | {Stats.Percentile(phase.Log.All(), 0.99):F1} | {phase.Log.Failures} | {rss:F0} | {heap:F0} |"));
        }
        var secondHalf = samples.Skip(samples.Count / 2).ToList();
        var mean = secondHalf.Average(p => p.RssMb);
        var slopePerHour = Slope(secondHalf) * 60;
        // Over the second half, the trend may add at most 5 % of the mean an hour; a leak of a request's worth of memory a
        // minute shows as a steady climb.
        var flat = slopePerHour < mean * 0.05;
        var heapHalf = heaps.Skip(heaps.Count / 2).ToList();
        var heapSlopePerHour = Slope(heapHalf) * 60;
        Console.WriteLine();
        Console.WriteLine(Stats.Invariant(
            $"provider={provider} soak_minutes={minutes} rate={rate} commands={commands} failures={failures} rss_first_mb={samples[0].RssMb:F0} rss_last_mb={samples[^1].RssMb:F0} rss_max_mb={samples.Max(p => p.RssMb):F0} second_half_mean_mb={mean:F0} second_half_slope_mb_per_h={slopePerHour:F1} heap_first_mb={heaps[0].HeapMb:F0} heap_last_mb={heaps[^1].HeapMb:F0} heap_second_half_slope_mb_per_h={heapSlopePerHour:F1} flat={(flat ? "yes" : "no")}"));
        return flat && failures == 0 ? 0 : 1;
    }

    private static double Slope(List<(double X, double Y)> points)
    {
        var mx = points.Average(p => p.X);
        var my = points.Average(p => p.Y);
        var sxx = points.Sum(p => (p.X - mx) * (p.X - mx));
        return sxx == 0 ? 0 : points.Sum(p => (p.X - mx) * (p.Y - my)) / sxx;
    }

    // utime + stime from /proc (Linux), in clock ticks of 1/100 s.
    private static double CpuSeconds(int processId)
    {
        var stat = File.ReadAllText($"/proc/{processId}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    // The managed heap after the host's last garbage collection, all generations, from the runtime meter on /metrics.
    private static async Task<double> ManagedHeapMegabytesAsync(HttpClient http, Uri baseAddress) =>
        Sum(await http.GetStringAsync(new Uri(baseAddress, "metrics")), "dotnet_gc_last_collection_heap_size_bytes", "_bytes") / (1024 * 1024);

    // VmRSS from /proc (Linux): what the host really holds, managed heap, native and SQLite's cache together.
    private static double ResidentMegabytes(int processId)
    {
        var line = File.ReadLines($"/proc/{processId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return double.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
    }

    private sealed record PhaseResult(LatencyLog Log, TimeSpan Elapsed, long Lifecycles);

    /// <summary>Hands out start times at a fixed rate: the n-th command of the phase starts at n / rate seconds.</summary>
    private sealed class Pacer(double perSecond)
    {
        private long _next = -1;

        public TimeSpan Next() => TimeSpan.FromSeconds(Interlocked.Increment(ref _next) / perSecond);
    }

    private static async Task<PhaseResult> RunPhaseAsync(HttpClient http, Keys keys, List<Guid> merchants, int workers, TimeSpan duration, Pacer? pacer)
    {
        var log = new LatencyLog();
        long lifecycles = 0;
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, workers).Select(worker => Task.Run(async () =>
        {
            var client = new LifecycleClient(http, keys, log, clock, duration, pacer);
            var n = 0;
            while (clock.Elapsed < duration)
            {
                var merchant = merchants[(worker * 7919 + n++) % merchants.Count];
                if (await client.RunAsync(merchant).ConfigureAwait(false)) Interlocked.Increment(ref lifecycles);
            }
        })).ToList();
        await Task.WhenAll(tasks);
        return new PhaseResult(log, clock.Elapsed, lifecycles);
    }

    private static void Report(string title, int workers, PhaseResult phase)
    {
        Console.WriteLine();
        Console.WriteLine(Stats.Invariant($"{title}: {phase.Log.Count:N0} commands in {phase.Elapsed.TotalSeconds:F1} s = {phase.Log.Count / phase.Elapsed.TotalSeconds:F0} commands/s, {phase.Lifecycles:N0} whole cases ({workers} clients)"));
        Console.WriteLine("| command | count | p50 ms | p95 ms | p99 ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var (command, latencies) in phase.Log.Sorted().OrderBy(p => p.Key, StringComparer.Ordinal))
            Console.WriteLine(Stats.Invariant($"| {command} | {latencies.Count:N0} | {Stats.Percentile(latencies, 0.50):F2} | {Stats.Percentile(latencies, 0.95):F2} | {Stats.Percentile(latencies, 0.99):F2} |"));
        var all = phase.Log.All();
        Console.WriteLine(Stats.Invariant($"| all | {all.Count:N0} | {Stats.Percentile(all, 0.50):F2} | {Stats.Percentile(all, 0.95):F2} | {Stats.Percentile(all, 0.99):F2} |"));
        Console.WriteLine("answers: " + string.Join(", ", phase.Log.Statuses.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value:N0}")));
    }

    /// <summary>pgbench's built-in simple-update script (<c>-N</c>), 4 clients, on a fresh database of the same cluster.</summary>
    private static async Task<double> PgbenchAsync(string hostConnectionString, int seconds)
    {
        var database = new NpgsqlConnectionStringBuilder(PostgresServer.Instance.CreateDatabase("pgbench"));
        string[] target = ["-h", database.Host!, "-p", database.Port.ToString(CultureInfo.InvariantCulture), "-U", database.Username!, database.Database!];
        var same = new NpgsqlConnectionStringBuilder(hostConnectionString);
        if (same.Host != database.Host || same.Port != database.Port)
            throw new InvalidOperationException("pgbench must run on the host's cluster: the ratio means nothing across clusters.");
        await RunAsync(Path.Combine(PgBin, "pgbench"), ["-i", "-q", .. target]);
        var output = await RunAsync(Path.Combine(PgBin, "pgbench"), ["-N", "-c", "4", "-j", "2", "-T", seconds.ToString(CultureInfo.InvariantCulture), .. target]);
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("tps = ", StringComparison.Ordinal))
                   ?? throw new InvalidOperationException("pgbench printed no tps line: " + output);
        return double.Parse(line["tps = ".Length..].Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static async Task<string> RunAsync(string file, string[] arguments)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} exited with {process.ExitCode}: {await stderr}");
        return await stdout;
    }

    /// <summary>One client's way through a data-fee dispute; every POST is timed and its status counted.</summary>
    private sealed class LifecycleClient(HttpClient http, Keys keys, LatencyLog log, Stopwatch clock, TimeSpan duration, Pacer? pacer)
    {
        private static readonly string[] EvidenceTypes = ["business-licence", "transaction-records", "settlement-statement"];

        /// <summary>True when the case reached closed; false when the phase ended first or an answer was not the expected one.</summary>
        public async Task<bool> RunAsync(Guid merchant)
        {
            var conversation = Guid.NewGuid().ToString("N");
            var opened = await PostJsonAsync("open", keys.Channel, "cases", new
            {
                type = "data-fee-cancellation", merchantId = merchant, description = "负载测试：6月被扣了199元流量费，要求退还", conversationId = conversation,
                claimAmountFen = 19_900, claimChargedOn = "2026-06-01",
            });
            if (opened is not { } o) return false;
            var caseId = o.GetProperty("id").GetGuid();
            var state = o.GetProperty("state").GetString();

            if (await PostJsonAsync("message", keys.Channel, $"cases/{caseId}/messages", new { text = "请尽快处理，谢谢", providerMessageId = Guid.NewGuid().ToString("N") }) is null)
                return false;
            if (state != "collecting-evidence") return await WithdrawAsync(caseId);

            var evidence = new List<Guid>();
            foreach (var type in EvidenceTypes)
            {
                if (await UploadAsync(caseId, type) is not { } uploaded) return false;
                evidence.Add(uploaded.GetProperty("evidenceId").GetGuid());
            }
            foreach (var id in evidence)
            {
                if (await PostJsonAsync("review", keys.Agent, $"cases/{caseId}/evidence/{id}/review", new { verdict = "accept" }) is not { } reviewed) return false;
                state = reviewed.GetProperty("state").GetString();
            }
            if (state != "assessing") return await WithdrawAsync(caseId);

            if (await PostJsonAsync("assess", keys.Agent, $"cases/{caseId}/actions/assess", new { }) is not { } assessed) return false;
            state = assessed.GetProperty("state").GetString();
            if (state == "negotiating")
            {
                if (await PostJsonAsync("offer-propose", keys.Agent, $"cases/{caseId}/offers", new { kind = "partial-refund", amountFen = 5_000 }) is not { } offer)
                    return false;
                var offerId = offer.GetProperty("offerId").GetGuid();
                if (await PostJsonAsync("offer-accept", keys.Channel, $"cases/{caseId}/offers/{offerId}/accept", new { }) is not { } accepted) return false;
                state = accepted.GetProperty("state").GetString();
            }
            if (state is not ("resolved-refund" or "resolved")) return await WithdrawAsync(caseId);
            return await PostJsonAsync("close", keys.Agent, $"cases/{caseId}/actions/close", new { }) is not null;
        }

        private async Task<bool> WithdrawAsync(Guid caseId)
        {
            await PostJsonAsync("withdraw", keys.Channel, $"cases/{caseId}/actions/withdraw", new { });
            return false;
        }

        private Task<JsonElement?> PostJsonAsync(string command, string key, string path, object body) =>
            SendAsync(command, key, path, () => JsonContent.Create(body));

        private Task<JsonElement?> UploadAsync(Guid caseId, string type) =>
            SendAsync("evidence-upload", keys.Channel, $"cases/{caseId}/evidence", () =>
            {
                var file = new ByteArrayContent(Encoding.ASCII.GetBytes($"%PDF-1.4\n% {type} {caseId:N}\n%%EOF\n"));
                file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
                return new MultipartFormDataContent { { new StringContent(type), "type" }, { file, "file", $"{type}.pdf" } };
            });

        /// <summary>The phase's end stops new commands; a command already started runs to its answer.</summary>
        private async Task<JsonElement?> SendAsync(string command, string key, string path, Func<HttpContent> content)
        {
            var start = clock.Elapsed;
            if (pacer is not null)
            {
                start = pacer.Next();
                var wait = start - clock.Elapsed;
                if (wait > TimeSpan.Zero) await Task.Delay(wait).ConfigureAwait(false);
            }
            if (start >= duration) return null;
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content() };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
            try
            {
                using var response = await http.SendAsync(request).ConfigureAwait(false);
                var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                var status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                log.Add(command, (clock.Elapsed - start).TotalMilliseconds, status);
                if (!response.IsSuccessStatusCode) return null;
                using var document = JsonDocument.Parse(body);
                return document.RootElement.Clone();
            }
            catch (HttpRequestException)
            {
                log.Add(command, (clock.Elapsed - start).TotalMilliseconds, "error");
                return null;
            }
        }
    }
}
