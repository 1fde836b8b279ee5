using Dapper;
using PosSupport.Core.Data;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.Data;

/// <summary>
/// A database created by any earlier release (any prefix of the migration scripts) upgrades to exactly the schema a
/// fresh database gets: same tables, columns, types, nullability and indexes.
/// </summary>
public abstract class MigrationUpgradeTests
{
    protected abstract DatabaseProvider Provider { get; }

    /// <summary>A new, empty database of this provider.</summary>
    protected abstract PosSupportOptions NewDatabase();

    protected abstract Task<IReadOnlyList<string>> SchemaAsync(CaseDatabase database);

    [Fact]
    public async Task A_database_made_by_every_earlier_set_of_migrations_upgrades_to_the_schema_of_a_fresh_one()
    {
        var scripts = Migrator.ScriptNames(Provider);
        Assert.True(scripts.Count >= 2, "there is an earlier migration set to upgrade from");
        IReadOnlyList<string> fresh;
        await using (var database = new CaseDatabase(NewDatabase()))
        {
            Assert.Equal(scripts, Migrator.Migrate(database));
            fresh = await SchemaAsync(database);
        }
        Assert.Contains(fresh, line => line.StartsWith("demo_seeds.", StringComparison.Ordinal));

        for (var applied = 1; applied < scripts.Count; applied++)
        {
            var earlier = scripts.Take(applied).ToHashSet(StringComparer.Ordinal);
            await using var database = new CaseDatabase(NewDatabase());
            Assert.Equal(earlier.Order(StringComparer.Ordinal), Migrator.Migrate(database, earlier.Contains));

            var upgraded = Migrator.Migrate(database);

            Assert.Equal(scripts.Skip(applied), upgraded);
            Assert.Equal(fresh, await SchemaAsync(database));
            Assert.Empty(Migrator.Migrate(database));
        }
    }
}

public sealed class MigrationUpgradeOnSqlite : MigrationUpgradeTests, IDisposable
{
    private readonly List<DirectoryInfo> _directories = [];

    protected override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override PosSupportOptions NewDatabase()
    {
        var directory = Directory.CreateTempSubdirectory("possupport-upgrade-");
        _directories.Add(directory);
        return new() { DataDirectory = directory.FullName };
    }

    public void Dispose()
    {
        foreach (var directory in _directories) directory.Delete(recursive: true);
    }

    protected override async Task<IReadOnlyList<string>> SchemaAsync(CaseDatabase database)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        var columns = await connection.QueryAsync<string>("""
            SELECT t.name || '.' || c.name || ' ' || c.type || CASE WHEN c."notnull" = 1 THEN ' not null' ELSE '' END || CASE WHEN c.pk > 0 THEN ' pk' ELSE '' END
              FROM sqlite_master t JOIN pragma_table_info(t.name) c
             WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite_%'
            """);
        var indexes = await connection.QueryAsync<string>("""
            SELECT 'index ' || name || ' ON ' || tbl_name || ' ' || COALESCE(sql, '(implicit)') FROM sqlite_master WHERE type = 'index'
            """);
        return columns.Concat(indexes).Order(StringComparer.Ordinal).ToList();
    }
}

public sealed class MigrationUpgradeOnPostgres : MigrationUpgradeTests
{
    protected override DatabaseProvider Provider => DatabaseProvider.Postgres;

    [Fact]
    public async Task Nodes_starting_at_once_migrate_a_database_once_between_them()
    {
        var options = NewDatabase();
        var databases = Enumerable.Range(0, 4).Select(_ => new CaseDatabase(options)).ToList();
        try
        {
            using var start = new Barrier(databases.Count);
            var applied = await Task.WhenAll(databases.Select(database => Task.Run(() =>
            {
                start.SignalAndWait();
                return Migrator.Migrate(database);
            })));

            Assert.Equal(Migrator.ScriptNames(Provider), applied.SelectMany(a => a).Order(StringComparer.Ordinal));
            await using var connection = await databases[0].OpenAsync(CancellationToken.None);
            Assert.Equal(Migrator.ScriptNames(Provider).Count, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schemaversions"));
        }
        finally
        {
            foreach (var database in databases) await database.DisposeAsync();
        }
    }

    protected override PosSupportOptions NewDatabase() => new()
    {
        DataDirectory = Path.GetTempPath(),
        Database = new DatabaseOptions { Provider = DatabaseProvider.Postgres, ConnectionString = PostgresServer.Instance.CreateDatabase("upgrade") },
    };

    protected override async Task<IReadOnlyList<string>> SchemaAsync(CaseDatabase database)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        var columns = await connection.QueryAsync<string>("""
            SELECT table_name || '.' || column_name || ' ' || data_type || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END
                   || COALESCE(' default ' || column_default, '')
              FROM information_schema.columns WHERE table_schema = 'public'
            """);
        var indexes = await connection.QueryAsync<string>("SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public'");
        var constraints = await connection.QueryAsync<string>("""
            SELECT 'constraint ' || c.conrelid::regclass::text || ' ' || pg_get_constraintdef(c.oid)
              FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public'
            """);
        return columns.Concat(indexes).Concat(constraints).Order(StringComparer.Ordinal).ToList();
    }
}
