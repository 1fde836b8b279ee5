using System.Collections.Concurrent;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using PosSupport.Testing;

namespace PosSupport.Benchmarks;

/// <summary>Command-line options of a driver mode: <c>--name value</c> pairs and bare <c>--flag</c>s.</summary>
public sealed class DriverArgs(string[] args)
{
    public string? Text(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    public int Number(string name, int fallback) => Text(name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public bool Flag(string name) => args.Contains(name);

    public string Provider()
    {
        var provider = Text("--provider") ?? "sqlite";
        return provider is "sqlite" or "postgres" ? provider : throw new ArgumentException($"--provider is sqlite or postgres, not '{provider}'.");
    }
}

/// <summary>Latencies (milliseconds) per command name, and answers per HTTP status; safe to add to from many clients.</summary>
public sealed class LatencyLog
{
    private readonly ConcurrentDictionary<string, ConcurrentBag<double>> _byCommand = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _byStatus = new(StringComparer.Ordinal);

    public void Add(string command, double milliseconds, string status)
    {
        _byCommand.GetOrAdd(command, _ => []).Add(milliseconds);
        _byStatus.AddOrUpdate(status, 1, (_, n) => n + 1);
    }

    public IReadOnlyDictionary<string, List<double>> Sorted() =>
        _byCommand.ToDictionary(p => p.Key, p => p.Value.Order().ToList(), StringComparer.Ordinal);

    public List<double> All() => _byCommand.Values.SelectMany(v => v).Order().ToList();

    public IReadOnlyDictionary<string, long> Statuses => _byStatus;

    public long Count => _byCommand.Values.Sum(v => (long)v.Count);

    public long Failures => _byStatus.Where(p => p.Key.StartsWith('5') || p.Key == "error").Sum(p => p.Value);
}

public static class Stats
{
    /// <summary>Nearest-rank percentile of an ascending list; NaN when empty.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>nproc, memory and load average, for the report: figures from a shared machine mean little without them.</summary>
    public static string Machine()
    {
        var load = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
        var memory = "?";
        if (File.Exists("/proc/meminfo"))
        {
            var kb = long.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            memory = $"{kb / 1024 / 1024} GiB";
        }
        return $"{Environment.ProcessorCount} CPUs, {memory}, load average {load}";
    }
}

/// <summary>Reads from the host's database directly (ids for the load, bulk seeding), on either provider.</summary>
public static class DriverDatabase
{
    public static System.Data.Common.DbConnection Open(ServerOptions host)
    {
        System.Data.Common.DbConnection connection = host.Provider == "postgres"
            ? new NpgsqlConnection(host.ConnectionString)
            : new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(host.DataDirectory, "possupport.db"), DefaultTimeout = 60 }.ToString());
        connection.Open();
        return connection;
    }

    public static List<Guid> MerchantsWithContracts(ServerOptions host)
    {
        using var connection = Open(host);
        return connection.Query<string>("SELECT CAST(m.id AS TEXT) FROM merchants m JOIN contracts c ON c.merchant_id = m.id ORDER BY m.id")
            .Select(Guid.Parse).ToList();
    }
}
