using DbUp;
using DbUp.Engine;
using DbUp.Engine.Output;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace PosSupport.Core.Data;

/// <summary>Applies the forward-only SQL scripts of <c>db/</c> (embedded in this assembly) for the configured provider.</summary>
public static class Migrator
{
    public static IReadOnlyList<string> ScriptNames(DatabaseProvider provider) =>
        typeof(Migrator).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix(provider), StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

    // pg_advisory_lock's key for migrations: any constant of our own, the same on every node.
    private const long MigrationLock = 0x506F_7353_7570_6D67;

    /// <summary>
    /// Brings the database up to date; returns the scripts applied now (empty when it already was). On PostgreSQL several
    /// nodes may start at once: each waits for a session advisory lock, so one migrates and the others then find nothing
    /// left to do.
    /// </summary>
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
            // Held by a connection of its own for the whole upgrade, and released explicitly: a pooled connection keeps its
            // session (and so the lock) when closed. A node that dies while holding it ends the session, which releases it.
            using var holder = new NpgsqlConnection(database.ConnectionString);
            holder.Open();
            Advisory(holder, "pg_advisory_lock");
            try
            {
                return Upgrade(engine);
            }
            finally
            {
                Advisory(holder, "pg_advisory_unlock");
            }
        }
        return Upgrade(engine);
    }

    private static void Advisory(NpgsqlConnection connection, string function)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {function}(@key)";
        command.Parameters.AddWithValue("key", MigrationLock);
        command.CommandTimeout = 0;
        command.ExecuteNonQuery();
    }

    private static List<string> Upgrade(UpgradeEngine engine)
    {
        var result = engine.PerformUpgrade();
        if (!result.Successful)
            throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
        return result.Scripts.Select(s => s.Name).ToList();
    }

    private static string Prefix(DatabaseProvider provider) =>
        provider == DatabaseProvider.Sqlite ? "PosSupport.Core.Migrations.sqlite." : "PosSupport.Core.Migrations.postgres.";
}
