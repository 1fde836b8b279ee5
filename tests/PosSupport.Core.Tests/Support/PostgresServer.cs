using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace PosSupport.Core.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL 15 cluster for the whole test run: initdb into a temp directory, started on a free
/// loopback port, stopped and deleted when the process exits. As root, initdb and pg_ctl run as the postgres
/// user (initdb refuses root). Missing binaries fail loudly: test.sh installs them, and CI must never skip.
/// </summary>
public sealed class PostgresServer
{
    private const string BinDirectory = "/usr/lib/postgresql/15/bin";
    private static readonly Lazy<PostgresServer> Shared = new(() => new PostgresServer(), LazyThreadSafetyMode.ExecutionAndPublication);

    public static PostgresServer Instance => Shared.Value;

    private readonly string _directory;
    private readonly int _port;

    private PostgresServer()
    {
        if (!File.Exists(Path.Combine(BinDirectory, "initdb")))
            throw new InvalidOperationException(
                $"PostgreSQL 15 server binaries are not in {BinDirectory}. Install them (apt-get install postgresql-15; ./test.sh does this when run as root).");
        _directory = Directory.CreateTempSubdirectory("possupport-pg-").FullName;
        _port = FreePort();
        var asRoot = Environment.UserName == "root";
        if (asRoot) Run("chown", $"postgres {_directory}", asPostgres: false);
        Run(Path.Combine(BinDirectory, "initdb"), $"-D {_directory}/data -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8", asRoot);
        Run(Path.Combine(BinDirectory, "pg_ctl"),
            $"-D {_directory}/data -l {_directory}/server.log -w -t 60 -o \"-p {_port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\" start",
            asRoot);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(asRoot);
        StartWatchdog(asRoot);
    }

    // The test host is not always given the chance to run ProcessExit (the runner may end it), so a small detached
    // shell waits for this process to go and then stops the cluster and deletes its directory, however the run ended.
    private void StartWatchdog(bool asRoot)
    {
        var stop = $"{Path.Combine(BinDirectory, "pg_ctl")} -D {_directory}/data -m immediate -w stop";
        if (asRoot) stop = $"runuser -u postgres -- {stop}";
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {_directory}";
        var info = new ProcessStartInfo("setsid", ["bash", "-c", script])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        using var watchdog = Process.Start(info) ?? throw new InvalidOperationException("Could not start the PostgreSQL watchdog.");
    }

    /// <summary>The server's log (the load driver's statement census reads it).</summary>
    public string LogFile => Path.Combine(_directory, "server.log");

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = _port, Username = "postgres", Database = database, Pooling = true, MaxPoolSize = 40 }.ToString();

    /// <summary>A new, empty database (one per test class keeps classes independent and parallel).</summary>
    public string CreateDatabase(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)].ToLowerInvariant();
        using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE \"{name}\"";
        command.ExecuteNonQuery();
        return ConnectionString(name);
    }

    private void Stop(bool asRoot)
    {
        try
        {
            Run(Path.Combine(BinDirectory, "pg_ctl"), $"-D {_directory}/data -m immediate -w stop", asRoot);
            Directory.Delete(_directory, recursive: true);
        }
        catch (InvalidOperationException)
        {
            // Exiting anyway; a leftover temp directory is all that remains.
        }
        catch (IOException)
        {
        }
    }

    private static void Run(string file, string arguments, bool asPostgres)
    {
        var info = asPostgres
            ? new ProcessStartInfo("runuser", $"-u postgres -- {file} {arguments}")
            : new ProcessStartInfo(file, arguments);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(90_000)) throw new InvalidOperationException($"{file} did not finish in 90 s.");
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {error}{output.Result}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
