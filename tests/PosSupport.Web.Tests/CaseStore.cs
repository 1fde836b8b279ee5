using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Web.Tests;

/// <summary>Reading what the host wrote, straight from its database.</summary>
public static class CaseStore
{
    public static string SqliteFile(string dataDirectory) => Path.Combine(dataDirectory, "possupport.db");

    public static async Task<long> CountAsync(string dataDirectory, string table)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = SqliteFile(dataDirectory), Pooling = false }.ToString());
        return await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}");
    }

    public static async Task<List<string>> AppliedScriptsAsync(string dataDirectory)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = SqliteFile(dataDirectory), Pooling = false }.ToString());
        return (await connection.QueryAsync<string>("SELECT ScriptName FROM SchemaVersions ORDER BY ScriptName")).ToList();
    }

    public static async Task<long> CountAsync(PostgresDatabase database, string table)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        return await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}");
    }
}

/// <summary>A new database on the tests' throwaway PostgreSQL cluster, and the environment that points the host at it.</summary>
public sealed record PostgresDatabase(string ConnectionString)
{
    public static PostgresDatabase Create() => new(PostgresServer.Instance.CreateDatabase("web"));

    public string Name => new NpgsqlConnectionStringBuilder(ConnectionString).Database!;

    public Dictionary<string, string> Environment(string dataDirectory) => new()
    {
        ["PosSupport__Database__Provider"] = "postgres",
        ["ConnectionStrings__PosSupport"] = ConnectionString,
        ["PosSupport__DataDirectory"] = dataDirectory,
    };

    /// <summary>Drops the database under the host's feet, closing its connections.</summary>
    public async Task DropAsync()
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ToString());
        await connection.OpenAsync();
        await connection.ExecuteAsync($"DROP DATABASE \"{Name}\" WITH (FORCE)");
    }
}
