using Dapper;
using PosSupport.Core.Data;

namespace PosSupport.Core.Tests.Data;

/// <summary>
/// SQLite databases of a test class's own, in a temporary directory removed with it: write-ahead logging, as the migrator
/// sets it (the log is what a commit's flush makes durable), and the tables the test asks for, made through the writer.
/// </summary>
internal sealed class ScratchDatabases(string prefix) : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory(prefix);

    public async Task<CaseDatabase> NewAsync(string schema)
    {
        var database = new CaseDatabase(new PosSupportOptions { DataDirectory = _directory.FullName });
        await using var writer = await database.EnterWriteAsync(CancellationToken.None);
        await writer.Connection.ExecuteAsync("PRAGMA journal_mode=WAL; " + schema);
        return database;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }
}
