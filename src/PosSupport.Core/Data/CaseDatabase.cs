using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace PosSupport.Core.Data;

/// <summary>
/// Opens connections to the configured store. SQLite takes one writer at a time: write transactions queue on a
/// process-wide gate instead of meeting "database is locked"; every connection runs with foreign keys on and a busy
/// timeout. PostgreSQL uses a pooled data source.
/// Thread-safe; register one per process.
/// </summary>
/// <remarks>
/// SQLite commits are made durable by group commit: a commit (WAL mode, <c>synchronous=NORMAL</c>) writes its frames to
/// the write-ahead log without waiting for the disk, the writer gate passes to the next transaction, and the committer
/// then waits in <see cref="WaitDurableAsync"/> until one <c>fsync</c> of the log — shared by every commit made while the
/// previous one ran — has it on disk. Nothing is acknowledged before it is durable, yet the disk's flush time is no
/// longer paid once per transaction inside the single writer. (A checkpoint syncs the log before copying it, so frames it
/// moved into the database file are durable too.)
/// </remarks>
public sealed class CaseDatabase : IAsyncDisposable
{
    private const string SqlitePragmas = "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;";

    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly NpgsqlDataSource? _postgres;
    private readonly WalFlusher? _flusher;

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
            _flusher = new WalFlusher(builder.DataSource + "-wal");
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

    /// <summary>
    /// Returns once every transaction this process committed before the call is on disk (SQLite: one <c>fsync</c> of the
    /// write-ahead log, shared with the commits that wait at the same time); at once on PostgreSQL, whose commit waits for
    /// its own WAL flush.
    /// </summary>
    public Task WaitDurableAsync(CancellationToken cancellationToken) =>
        _flusher is null ? Task.CompletedTask : _flusher.FlushAsync().WaitAsync(cancellationToken);

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

    /// <summary>
    /// Group commit for SQLite: callers wait for a flush that starts after they called; one flush runs at a time, and
    /// everyone who arrived during it shares the next.
    /// </summary>
    private sealed class WalFlusher(string walPath)
    {
        private readonly Lock _lock = new();
        private TaskCompletionSource? _next;
        private bool _running;

        public Task FlushAsync()
        {
            lock (_lock)
            {
                _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var waiting = _next.Task;
                if (!_running)
                {
                    _running = true;
                    _ = Task.Run(Run);
                }
                return waiting;
            }
        }

        private void Run()
        {
            while (true)
            {
                TaskCompletionSource batch;
                lock (_lock)
                {
                    if (_next is null)
                    {
                        _running = false;
                        return;
                    }
                    batch = _next;
                    _next = null;
                }
                try
                {
                    Sync();
                    batch.SetResult();
                }
                catch (Exception e)
                {
                    batch.SetException(e);
                }
            }
        }

        // fsync works on the file, whichever descriptor asks: this one flushes every frame SQLite wrote to the log. No log
        // (never written, or removed after a full checkpoint, which synced the database file) means nothing is waiting.
        // SQLite keeps no locks on the log file (they are on the database and -shm files), so opening it here is harmless.
        private void Sync()
        {
            Microsoft.Win32.SafeHandles.SafeFileHandle log;
            try
            {
                log = File.OpenHandle(walPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (FileNotFoundException)
            {
                return;
            }
            using (log) RandomAccess.FlushToDisk(log);
        }
    }

    private sealed class NoGate : IAsyncDisposable
    {
        public static readonly NoGate Instance = new();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
