using System.Data.Common;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Testing;

/// <summary>
/// The world a fault scenario runs in: a throwaway data directory and database (SQLite file, or a new database on the
/// throwaway PostgreSQL 15 cluster) with the demo data, a copy of the shipped workflows whose first evidence reminder
/// comes after <c>reminderAfter</c> instead of a day (so follow-ups fall due during a run), a fixed port (a killed host
/// comes back where its clients expect it), and the API rate limit lifted for load.
/// </summary>
public sealed class FaultEnvironment : IDisposable
{
    public const string ReminderTemplate = "evidence-missing";
    private readonly TempDirectory _data = new();

    private FaultEnvironment(string provider, string? connectionString, TimeSpan reminderAfter)
    {
        Provider = provider;
        ConnectionString = connectionString;
        ReminderAfter = reminderAfter;
        WorkflowsDirectory = Path.Combine(_data.Path, "workflows");
        CopyWorkflows(WorkflowsDirectory, reminderAfter);
        Options = new ServerOptions(provider, connectionString, _data.Path, ServerProcess.FreePort(), new Dictionary<string, string>
        {
            ["PosSupport__Workflows__Directory"] = WorkflowsDirectory,
            ["PosSupport__Api__RateLimitPermits"] = "10000000",
            ["PosSupport__Webhooks__FirstRetryDelaySeconds"] = "2",
        });
    }

    public string Provider { get; }

    public string? ConnectionString { get; }

    public TimeSpan ReminderAfter { get; }

    public string WorkflowsDirectory { get; }

    public ServerOptions Options { get; }

    public string DataDirectory => _data.Path;

    /// <summary>Creates the database with the demo data (SQLite: the host's first start seeds it; PostgreSQL: <c>seed-demo</c>).</summary>
    public static async Task<FaultEnvironment> CreateAsync(string provider, TimeSpan reminderAfter, CancellationToken cancellationToken = default)
    {
        if (provider is not ("sqlite" or "postgres")) throw new ArgumentException($"Unknown provider '{provider}': sqlite or postgres.", nameof(provider));
        var connectionString = provider == "postgres" ? PostgresServer.Instance.CreateDatabase("fault") : null;
        var environment = new FaultEnvironment(provider, connectionString, reminderAfter);
        if (provider == "postgres")
            await ServerProcess.RunVerbAsync(environment.Options, ["seed-demo"], cancellationToken: cancellationToken).ConfigureAwait(false);
        else
            await using (await environment.StartAsync(cancellationToken: cancellationToken).ConfigureAwait(false)) { }
        return environment;
    }

    /// <summary>Starts a host on this environment's port, or on <paramref name="port"/> (a second node).</summary>
    public Task<ServerProcess> StartAsync(int? port = null, CancellationToken cancellationToken = default) =>
        ServerProcess.StartAsync(port is { } p ? Options.OnPort(p) : Options, TimeSpan.FromSeconds(120), cancellationToken);

    public Task<string> CreateKeyAsync(string name, string role, string? webhookUrl = null, CancellationToken cancellationToken = default) =>
        ServerProcess.CreateApiKeyAsync(Options, name, role, webhookUrl, cancellationToken);

    public DbConnection OpenDatabase()
    {
        DbConnection connection = Provider == "postgres"
            ? new NpgsqlConnection(ConnectionString)
            : new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(DataDirectory, "possupport.db"), Pooling = false, DefaultTimeout = 60,
            }.ToString());
        connection.Open();
        if (connection is SqliteConnection) connection.Execute("PRAGMA busy_timeout = 60000");
        return connection;
    }

    /// <summary>Demo merchants that have a contract: their data-fee cases go straight on to collecting evidence.</summary>
    public async Task<IReadOnlyList<Guid>> MerchantsWithContractsAsync()
    {
        await using var connection = OpenDatabase();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT merchant_id FROM contracts ORDER BY merchant_id";
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false)) ids.Add(StoreSnapshot.IdOf(reader.GetValue(0)));
        return ids.Distinct().ToList();
    }

    public void Dispose() => _data.Dispose();

    private static void CopyWorkflows(string target, TimeSpan reminderAfter)
    {
        var source = RepositoryWorkflows();
        foreach (var directory in Directory.GetDirectories(source, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(directory.Replace(source, target, StringComparison.Ordinal));
        Directory.CreateDirectory(target);
        var after = string.Create(CultureInfo.InvariantCulture, $"PT{(int)reminderAfter.TotalSeconds}S");
        foreach (var file in Directory.GetFiles(source, "*.json", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            // The first evidence reminder only; its repeats stay a day apart, so each row fires exactly once in a run.
            text = text.Replace("\"after\": \"P1D\", \"remind\": \"evidence-missing\"", $"\"after\": \"{after}\", \"remind\": \"evidence-missing\"", StringComparison.Ordinal);
            File.WriteAllText(file.Replace(source, target, StringComparison.Ordinal), text);
        }
    }

    /// <summary>The repository's <c>workflows/</c> folder (found above the running binaries).</summary>
    public static string RepositoryWorkflows()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "PosSupport.sln"))) directory = directory.Parent;
        return directory is null
            ? throw new InvalidOperationException("Run from the repository: PosSupport.sln was not found above " + AppContext.BaseDirectory)
            : Path.Combine(directory.FullName, "workflows");
    }
}
