using System.Diagnostics;
using System.Net.Http.Headers;
using PosSupport.Testing;

namespace PosSupport.Benchmarks;

/// <summary>
/// <c>startup [--runs N]</c>: how long the web host takes from process start to serving, on a migrated SQLite database
/// with the demo data. A first start migrates and seeds; then N starts (default 5) are each timed to the first
/// <c>/health</c> 200 (ServerProcess polls every 50 ms) and, more honestly, to the first answers of a real API read and of
/// the dashboard's sign-in page, which need routing, authentication, MediatR, Dapper and Blazor to be ready.
/// </summary>
public static class StartupRun
{
    public static async Task<int> RunAsync(string[] arguments)
    {
        var args = new DriverArgs(arguments);
        var runs = args.Number("--runs", 5);
        Console.WriteLine($"startup: {runs} starts on a migrated SQLite database; machine: {Stats.Machine()}");
        using var data = new TempDirectory();
        var host = new ServerOptions("sqlite", null, data.Path);
        await using (await ServerProcess.StartAsync(host)) { }
        var key = await ServerProcess.CreateApiKeyAsync(host, "startup-crm", "agent");

        var health = new List<double>();
        var api = new List<double>();
        var page = new List<double>();
        for (var run = 1; run <= runs; run++)
        {
            var clock = Stopwatch.StartNew();
            await using var server = await ServerProcess.StartAsync(host);
            health.Add(server.StartedIn.TotalSeconds);
            // A new client per run: no warm connection from the previous process.
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            using (var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/cases?limit=50"))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                using var response = await http.SendAsync(request);
                response.EnsureSuccessStatusCode();
                api.Add(clock.Elapsed.TotalSeconds);
            }
            using (var response = await http.GetAsync(new Uri("signin", UriKind.Relative)))
            {
                response.EnsureSuccessStatusCode();
                page.Add(clock.Elapsed.TotalSeconds);
            }
            Console.WriteLine(Stats.Invariant($"run {run}: /health {health[^1]:F2} s, API read {api[^1]:F2} s, sign-in page {page[^1]:F2} s"));
            await server.StopAsync();
        }

        health.Sort();
        api.Sort();
        page.Sort();
        Console.WriteLine();
        Console.WriteLine("| from process start to | min s | median s | max s | bar |");
        Console.WriteLine("|---|---:|---:|---:|---|");
        Console.WriteLine(Stats.Invariant($"| first /health 200 | {health[0]:F2} | {Median(health):F2} | {health[^1]:F2} | |"));
        Console.WriteLine(Stats.Invariant($"| first API read (GET /api/v1/cases) answered | {api[0]:F2} | {Median(api):F2} | {api[^1]:F2} | ≤ 3 s |"));
        Console.WriteLine(Stats.Invariant($"| then the sign-in page answered | {page[0]:F2} | {Median(page):F2} | {page[^1]:F2} | |"));
        Console.WriteLine();
        Console.WriteLine(Stats.Invariant(
            $"runs={runs} health_min_s={health[0]:F2} health_median_s={Median(health):F2} first_request_min_s={api[0]:F2} first_request_median_s={Median(api):F2} page_median_s={Median(page):F2}"));
        return 0;
    }

    private static double Median(List<double> sorted) => sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}
