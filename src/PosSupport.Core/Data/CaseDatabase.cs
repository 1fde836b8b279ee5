using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace PosSupport.Core.Data;

/// <summary>
/// Opens connections to the configured store. SQLite takes one writer at a time: write transactions queue on a
/// process-wide gate instead of meeting "database is locked", and every connection runs with
/// <c>synchronous=FULL</c>, foreign keys on and a busy timeout. PostgreSQL uses a pooled data source.
/// Thread-safe; register one per process.
/// </summary>
public sealed class CaseDatabase : IAsyncDisposable
{
    private const string SqlitePragmas = "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;";

    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly NpgsqlDataSource? _postgres;

    public CaseDatabase(PosSupportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Provider = options.Database.Provider;
        DataDirectory = Path.GetFullPath(options.DataDirectory);
        if (Provider == DatabaseProvider.Sqlite)
        {
            Directory.CreateDirectory(DataDirectory);
            var builder = new SqliteConnectionStringBuilder(options.Database.ConnectionString ?? "")
            {
                Pooling = true,
                DefaultTimeout = 30,
            };
            if (string.IsNullOrEmpty(builder.DataSource)) builder.DataSource = Path.Combine(DataDirectory, "possupport.db");
            ConnectionString = builder.ToString();
        }
        else
        {
            ConnectionString = options.Database.ConnectionString!;
            _postgres = NpgsqlDataSource.Create(ConnectionString);
        }
    }

    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }
    public string DataDirectory { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null) return await _postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var connection = new SqliteConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = SqlitePragmas;
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Waits for this process's turn to write (SQLite); a no-op on PostgreSQL, which has row locks.</summary>
    public async Task<IAsyncDisposable> EnterWriteAsync(CancellationToken cancellationToken)
    {
        if (Provider != DatabaseProvider.Sqlite) return NoGate.Instance;
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Gate(_writer);
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null) await _postgres.DisposeAsync().ConfigureAwait(false);
        _writer.Dispose();
    }

    private sealed class Gate(SemaphoreSlim semaphore) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) semaphore.Release();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class NoGate : IAsyncDisposable
    {
        public static readonly NoGate Instance = new();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
