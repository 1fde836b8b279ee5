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
    // temp_store=MEMORY: the sub-journal of a savepoint (every guarded command has one) and temporary sort tables stay in
    // memory instead of a file created, written and deleted in /var/tmp for each.
    private const string SqlitePragmas = "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA temp_store=MEMORY;";

    // The native SQLite connections that have had SqlitePragmas run (nothing here changes them back). Running them on every
    // open took 14-17 us, as long as the rest of a pooled open and a short query; one goes with each API request's key
    // lookup. Weak: a connection the pool closes drops out.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> Configured = new();
    private static readonly object Marker = new();

    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly NpgsqlDataSource? _postgres;
    private readonly WalFlusher? _flusher;
    private readonly WalCheckpointer? _checkpointer;
    private SqliteConnection? _writerConnection; // SQLite: used only by the holder of _writer

    private readonly Metrics.PosSupportMetrics? _metrics;

    /// <summary>The database, recording how long SQLite's writer is held in <paramref name="metrics"/>.</summary>
    public CaseDatabase(PosSupportOptions options, Metrics.PosSupportMetrics metrics)
        : this(options) => _metrics = metrics;

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
            _checkpointer = new WalCheckpointer(OpenAsync);
        }
        else
        {
            ConnectionString = options.Database.ConnectionString!;
            _postgres = NpgsqlDataSource.Create(WithStatementReuse(ConnectionString));
        }
    }

    /// <summary>
    /// The product sends the same few hundred statements over and over: unless the connection string says otherwise,
    /// Npgsql prepares the ones used repeatedly on each connection (PostgreSQL then parses and plans them once, not on
    /// every call), and a pooled connection keeps them between requests instead of being reset with <c>DISCARD ALL</c>,
    /// a round trip per request that would also drop them. Nothing else is left on a session between requests: locks and
    /// settings are taken per transaction, and the migrator's advisory lock is released explicitly.
    /// </summary>
    internal static string WithStatementReuse(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!Mentions(given, "Max Auto Prepare")) builder.MaxAutoPrepare = 200;
        if (!Mentions(given, "Auto Prepare Min Usages")) builder.AutoPrepareMinUsages = 2;
        if (!Mentions(given, "No Reset On Close")) builder.NoResetOnClose = true;
        return builder.ConnectionString;
    }

    private static bool Mentions(DbConnectionStringBuilder given, string keyword) =>
        given.Keys.Cast<string>().Any(k => string.Equals(k.Replace(" ", "", StringComparison.Ordinal), keyword.Replace(" ", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase));

    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }
    public string DataDirectory { get; }

    public Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => OpenAsync(reuseStatements: false, cancellationToken);

    private async Task<DbConnection> OpenAsync(bool reuseStatements, CancellationToken cancellationToken)
    {
        if (_postgres is not null) return await _postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var connection = reuseStatements ? new StatementReusingConnection(ConnectionString) : new SqliteConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // The settings belong to the native connection, which the pool keeps open between uses: set them once.
            var handle = connection.Handle!;
            if (!Configured.TryGetValue(handle, out _))
            {
                await using var pragma = connection.CreateCommand();
                pragma.CommandText = SqlitePragmas;
                await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                Configured.AddOrUpdate(handle, Marker);
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Waits for this process's turn to write and gives the connection to write with; dispose the writer (after the
    /// transaction) to let the next one in. On SQLite every write uses one long-lived connection: as the only writer, its
    /// page cache stays valid from one transaction to the next, where a pooled connection would find its cache stale
    /// after every other connection's commit and read the pages again. On PostgreSQL, which has row locks, there is no
    /// turn to wait for and the connection is a pooled one.
    /// </summary>
    public async Task<Writer> EnterWriteAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null) return new Writer(await OpenAsync(cancellationToken).ConfigureAwait(false), this, shared: false);
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_writerConnection is null)
            {
                var connection = (SqliteConnection)await OpenAsync(reuseStatements: true, cancellationToken).ConfigureAwait(false);
                // The log is copied into the database file by _checkpointer, off the writer's turn; the writer's own
                // automatic checkpoint only remains as a backstop should that fall far behind.
                SQLitePCL.raw.sqlite3_wal_autocheckpoint(connection.Handle, WalCheckpointer.BackstopPages);
                _writerConnection = connection;
            }
            return new Writer(_writerConnection, this, shared: true) { Taken = System.Diagnostics.Stopwatch.GetTimestamp() };
        }
        catch
        {
            _writer.Release();
            throw;
        }
    }

    // The writer's connection comes back in a state the next writer can use, or is closed: a transaction still open on
    // it (a rollback that failed, or a command cancelled half-way) is rolled back, and a connection that cannot be is
    // thrown away, never put back in the pool, where a reader would find it inside the transaction.
    private async ValueTask ReleaseWriterAsync(SqliteConnection connection, long taken)
    {
        _metrics?.WriterHeld(System.Diagnostics.Stopwatch.GetElapsedTime(taken).TotalMilliseconds);
        _checkpointer?.Written();
        try
        {
            if (connection.State == System.Data.ConnectionState.Open && SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) == 0)
            {
                try
                {
                    await using var rollback = connection.CreateCommand();
                    rollback.CommandText = "ROLLBACK";
                    await rollback.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (SqliteException)
                {
                    // Left for the checks below to throw away.
                }
            }
            if (connection.State != System.Data.ConnectionState.Open || SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) == 0)
            {
                _writerConnection = null;
                SqliteConnection.ClearPool(connection);
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>One turn to write, with its connection; see <see cref="EnterWriteAsync"/>. Dispose it once.</summary>
    public sealed class Writer : IAsyncDisposable
    {
        private readonly CaseDatabase _database;
        private readonly bool _shared;
        private int _released;

        internal Writer(DbConnection connection, CaseDatabase database, bool shared)
        {
            Connection = connection;
            _database = database;
            _shared = shared;
        }

        /// <summary>The connection to write with, until this writer is disposed; never dispose it yourself.</summary>
        public DbConnection Connection { get; }

        internal long Taken { get; init; }

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0) return ValueTask.CompletedTask;
            return _shared ? _database.ReleaseWriterAsync((SqliteConnection)Connection, Taken) : Connection.DisposeAsync();
        }
    }

    /// <summary>
    /// Returns once every transaction this process committed before the call is on disk (SQLite: one <c>fsync</c> of the
    /// write-ahead log, shared with the commits that wait at the same time); at once on PostgreSQL, whose commit waits for
    /// its own WAL flush.
    /// </summary>
    public Task WaitDurableAsync(CancellationToken cancellationToken) =>
        _flusher is null ? Task.CompletedTask : _flusher.FlushAsync().WaitAsync(cancellationToken);

    /// <summary>How many times the SQLite log was flushed to disk (0 on PostgreSQL): commits that wait together share one.</summary>
    internal long LogFlushes => _flusher?.Flushes ?? 0;

    /// <summary>How many background checkpoints copied the SQLite log into the database file (0 on PostgreSQL).</summary>
    internal long Checkpoints => _checkpointer?.Checkpoints ?? 0;

    public async ValueTask DisposeAsync()
    {
        if (_checkpointer is not null) await _checkpointer.DisposeAsync().ConfigureAwait(false);
        if (_postgres is not null) await _postgres.DisposeAsync().ConfigureAwait(false);
        if (_writerConnection is not null) await _writerConnection.DisposeAsync().ConfigureAwait(false);
        _writerConnection = null;
        _writer.Dispose();
    }

    /// <summary>
    /// Group commit for SQLite: callers wait for a flush that starts after they called; one flush runs at a time, and
    /// everyone who arrived during it shares the next. A caller who finds no flush running flushes on its own thread, which
    /// would only wait otherwise: alone, a commit pays no hand-off to another thread and back.
    /// </summary>
    private sealed class WalFlusher(string walPath)
    {
        private readonly Lock _lock = new();
        private TaskCompletionSource? _next;
        private bool _running;
        private long _flushes;

        public long Flushes => Interlocked.Read(ref _flushes);

        public Task FlushAsync()
        {
            lock (_lock)
            {
                if (_running)
                {
                    _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    return _next.Task;
                }
                _running = true;
            }
            Exception? failed = null;
            try
            {
                Sync();
            }
            catch (Exception e)
            {
                failed = e;
            }
            // Whoever arrived during this flush shares the next one, on the pool.
            lock (_lock)
            {
                if (_next is null) _running = false;
                else _ = Task.Run(Run);
            }
            return failed is null ? Task.CompletedTask : Task.FromException(failed);
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
            Interlocked.Increment(ref _flushes);
        }
    }

    /// <summary>
    /// Copies the SQLite write-ahead log back into the database file on a connection of its own, between the writer's
    /// turns. SQLite's automatic checkpoint would run inside the commit that crosses 1,000 log pages, on the single
    /// writer's turn: copying the pages and syncing the log and the database file there held up every write queued
    /// behind it. A passive checkpoint takes no lock the writer or the readers need; the writer restarts the log from
    /// its beginning once everything in it has been copied. Starts with the first write and runs after every
    /// <see cref="TurnsPerCheckpoint"/> writer turns, or a second after the last turn of a quiet spell.
    /// </summary>
    private sealed class WalCheckpointer(Func<CancellationToken, Task<DbConnection>> open) : IAsyncDisposable
    {
        /// <summary>The writer's own automatic checkpoint, in log pages (about 40 MB): reached only if this falls behind.</summary>
        public const int BackstopPages = 10_000;

        internal const int TurnsPerCheckpoint = 48;
        private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);

        private readonly SemaphoreSlim _due = new(0, 1);
        private readonly CancellationTokenSource _stopping = new();
        private Task? _loop;
        private int _turns;
        private long _checkpoints;

        public long Checkpoints => Interlocked.Read(ref _checkpoints);

        /// <summary>Called after each writer turn (under the writer gate, so never concurrently with itself).</summary>
        public void Written()
        {
            _loop ??= Task.Run(RunAsync);
            // Only this releases and only the loop takes, so a count seen as 0 cannot be filled in between.
            if (Interlocked.Increment(ref _turns) >= TurnsPerCheckpoint && _due.CurrentCount == 0) _due.Release();
        }

        private async Task RunAsync()
        {
            var token = _stopping.Token;
            try
            {
                while (true)
                {
                    await _due.WaitAsync(Quiet, token).ConfigureAwait(false);
                    if (Interlocked.Exchange(ref _turns, 0) == 0) continue;
                    try
                    {
                        // A connection like any reader's (synchronous=NORMAL: the log is synced before copying and the
                        // database file after). Copies what no reader still needs from the log; never waits.
                        await using var connection = (SqliteConnection)await open(token).ConfigureAwait(false);
                        var result = SQLitePCL.raw.sqlite3_wal_checkpoint_v2(connection.Handle, "main", SQLitePCL.raw.SQLITE_CHECKPOINT_PASSIVE, out _, out _);
                        if (result == SQLitePCL.raw.SQLITE_OK) Interlocked.Increment(ref _checkpoints);
                    }
                    catch (SqliteException)
                    {
                        // Nothing is lost: the log keeps every commit, the next round tries again, and the writer's
                        // backstop checkpoint bounds the log meanwhile.
                    }
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            if (_loop is not null) await _loop.ConfigureAwait(false);
            _stopping.Dispose();
            _due.Dispose();
        }
    }
}
