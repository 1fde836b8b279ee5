using DbUp;
using DbUp.Engine;
using DbUp.Engine.Output;
using Microsoft.Data.Sqlite;

namespace PosSupport.Core.Data;

/// <summary>Applies the forward-only SQL scripts of <c>db/</c> (embedded in this assembly) for the configured provider.</summary>
public static class Migrator
{
    public static IReadOnlyList<string> ScriptNames(DatabaseProvider provider) =>
        typeof(Migrator).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix(provider), StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Brings the database up to date; returns the scripts applied now (empty when it already was).</summary>
    public static IReadOnlyList<string> Migrate(CaseDatabase database, Func<string, bool>? scriptFilter = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        var prefix = Prefix(database.Provider);
        bool Include(string name) => name.StartsWith(prefix, StringComparison.Ordinal) && (scriptFilter?.Invoke(name) ?? true);

        UpgradeEngine engine;
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            using (var connection = new SqliteConnection(database.ConnectionString))
            {
                connection.Open();
                using var wal = connection.CreateCommand();
                // WAL lets readers run beside the one writer; the setting is stored in the database file.
                wal.CommandText = "PRAGMA journal_mode=WAL;";
                wal.ExecuteNonQuery();
            }
            engine = DeployChanges.To.SqliteDatabase(database.ConnectionString)
                .WithScriptsEmbeddedInAssembly(typeof(Migrator).Assembly, Include)
                .WithTransactionPerScript()
                .LogToNowhere()
                .Build();
        }
        else
        {
            // Without a log DbUp writes the (masked) connection string to stdout, into every verb's output.
            EnsureDatabase.For.PostgresqlDatabase(database.ConnectionString, new NoOpUpgradeLog());
            engine = DeployChanges.To.PostgresqlDatabase(database.ConnectionString)
                .WithScriptsEmbeddedInAssembly(typeof(Migrator).Assembly, Include)
                .WithTransactionPerScript()
                .LogToNowhere()
                .Build();
        }

        var result = engine.PerformUpgrade();
        if (!result.Successful)
            throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
        return result.Scripts.Select(s => s.Name).ToList();
    }

    private static string Prefix(DatabaseProvider provider) =>
        provider == DatabaseProvider.Sqlite ? "PosSupport.Core.Migrations.sqlite." : "PosSupport.Core.Migrations.postgres.";
}
