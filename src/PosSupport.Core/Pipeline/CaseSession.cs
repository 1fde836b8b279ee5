using System.Data.Common;
using Dapper;
using MediatR;
using PosSupport.Core.Cases;
using PosSupport.Core.Data;

namespace PosSupport.Core.Pipeline;

/// <summary>
/// The connection (and, for commands, the transaction) of one request. Scoped: the transaction behavior (or a
/// <see cref="UnitOfWork"/> spanning several requests) opens it, handlers use it, and notifications raised through it
/// wait until commit. Not thread-safe, like the request.
/// </summary>
public sealed class CaseSession(CaseDatabase database) : IAsyncDisposable
{
    private DbConnection? _connection;
    private CaseDatabase.Writer? _writer;
    private readonly List<INotification> _afterCommit = [];
    private readonly List<Action> _onCommitted = [];
    private int _savepoints;

    public CaseDatabase Database => database;
    public DatabaseProvider Provider => database.Provider;
    public bool IsOpen => _connection is not null;
    public DbTransaction? Transaction { get; private set; }

    /// <summary>
    /// Opened by a <see cref="UnitOfWork"/> that guards each command it runs with a savepoint: a command that fails is
    /// undone alone, and the unit can still commit what else it wrote.
    /// </summary>
    internal bool GuardsCommands { get; private set; }

    /// <summary>How many requests are running inside the open session (only the outermost of them is guarded).</summary>
    internal int Depth { get; set; }

    public DbConnection Connection => _connection ?? throw new InvalidOperationException("The request has no open session; send it through IMediator.");

    internal async Task OpenAsync(bool write, CancellationToken cancellationToken, bool guardCommands = false)
    {
        _onCommitted.Clear();
        _afterCommit.Clear();
        _savepoints = 0;
        Depth = 0;
        GuardsCommands = guardCommands && write;
        try
        {
            if (write)
            {
                _writer = await database.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
                _connection = _writer.Connection;
            }
            else
            {
                _connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            }
            if (write) Transaction = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Commits, then lets the next writer in (SQLite) before waiting until the commit is on disk, so one flush can
    /// cover the commits of several requests (<see cref="CaseDatabase.WaitDurableAsync"/>).
    /// </summary>
    internal async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (Transaction is null) return;
        await Transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        await ReleaseConnectionAsync().ConfigureAwait(false);
        await database.WaitDurableAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>A point to undo back to: the savepoint and how many notifications and actions were queued before it.</summary>
    internal sealed record Savepoint(string Name, int Notifications, int Actions);

    internal async Task<Savepoint> SaveAsync(CancellationToken cancellationToken)
    {
        var transaction = Transaction ?? throw new InvalidOperationException("A savepoint needs a write transaction.");
        var point = new Savepoint($"command_{++_savepoints}", _afterCommit.Count, _onCommitted.Count);
        await transaction.SaveAsync(point.Name, cancellationToken).ConfigureAwait(false);
        return point;
    }

    /// <summary>Undoes what was written since <paramref name="point"/>, with the notifications and actions queued since.</summary>
    internal async Task RollbackToAsync(Savepoint point)
    {
        await Transaction!.RollbackAsync(point.Name, CancellationToken.None).ConfigureAwait(false);
        _afterCommit.RemoveRange(point.Notifications, _afterCommit.Count - point.Notifications);
        _onCommitted.RemoveRange(point.Actions, _onCommitted.Count - point.Actions);
    }

    /// <summary>Queues a notification to publish once the transaction has committed (never if it rolls back).</summary>
    public void PublishAfterCommit(INotification notification) => _afterCommit.Add(notification);

    /// <summary>
    /// Runs <paramref name="action"/> once the transaction has committed, never if it rolls back: for measurements of
    /// what was written (a metric counted inside a transaction that then fails would count something that never happened).
    /// Keep it cheap and non-throwing: it runs on the request's thread.
    /// </summary>
    public void AfterCommit(Action action) => _onCommitted.Add(action);

    internal void RunCommitted()
    {
        foreach (var action in _onCommitted) action();
        _onCommitted.Clear();
    }

    /// <summary>The cases written so far in this transaction, once each.</summary>
    internal IReadOnlyList<CaseChanged> ChangedCases() => [.. _afterCommit.OfType<CaseChanged>().DistinctBy(c => c.CaseId)];

    /// <summary>
    /// The notifications to publish, each kind merged: one <see cref="CaseChanged"/> per case (its last version), and one
    /// <see cref="FollowUpsArmed"/> and <see cref="FollowUpsDisarmed"/> each with every row, where the first of its kind was.
    /// A command that touches a case three times then wakes each listener once, and arms its follow-ups in one batch.
    /// </summary>
    internal IReadOnlyList<INotification> TakeNotifications()
    {
        var merged = new List<INotification>(_afterCommit.Count);
        var cases = new Dictionary<Guid, int>();
        int armed = -1, disarmed = -1;
        foreach (var notification in _afterCommit)
            switch (notification)
            {
                case CaseChanged changed when cases.TryGetValue(changed.CaseId, out var at):
                    if (((CaseChanged)merged[at]).Version < changed.Version) merged[at] = changed;
                    break;
                case CaseChanged changed:
                    cases[changed.CaseId] = merged.Count;
                    merged.Add(changed);
                    break;
                case FollowUpsArmed rows when armed >= 0:
                    merged[armed] = new FollowUpsArmed([.. ((FollowUpsArmed)merged[armed]).FollowUpIds, .. rows.FollowUpIds]);
                    break;
                case FollowUpsArmed:
                    armed = merged.Count;
                    merged.Add(notification);
                    break;
                case FollowUpsDisarmed rows when disarmed >= 0:
                    merged[disarmed] = new FollowUpsDisarmed([.. ((FollowUpsDisarmed)merged[disarmed]).FollowUpIds, .. rows.FollowUpIds]);
                    break;
                case FollowUpsDisarmed:
                    disarmed = merged.Count;
                    merged.Add(notification);
                    break;
                default:
                    merged.Add(notification);
                    break;
            }
        _afterCommit.Clear();
        return merged;
    }

    /// <summary>Drops whatever was queued for after commit (the transaction rolled back).</summary>
    internal void Discard()
    {
        _afterCommit.Clear();
        _onCommitted.Clear();
    }

    public Task<int> ExecuteAsync(string sql, object? param, CancellationToken cancellationToken) =>
        Connection.ExecuteAsync(Command(sql, param, cancellationToken));

    public Task<IEnumerable<T>> QueryAsync<T>(string sql, object? param, CancellationToken cancellationToken) =>
        Connection.QueryAsync<T>(Command(sql, param, cancellationToken));

    public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? param, CancellationToken cancellationToken) =>
        Connection.QuerySingleOrDefaultAsync<T>(Command(sql, param, cancellationToken));

    public Task<T?> ExecuteScalarAsync<T>(string sql, object? param, CancellationToken cancellationToken) =>
        Connection.ExecuteScalarAsync<T>(Command(sql, param, cancellationToken));

    public Task<SqlMapper.GridReader> QueryMultipleAsync(string sql, object? param, CancellationToken cancellationToken) =>
        Connection.QueryMultipleAsync(Command(sql, param, cancellationToken));

    private CommandDefinition Command(string sql, object? param, CancellationToken cancellationToken) =>
        new(sql, param, Transaction, cancellationToken: cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await ReleaseConnectionAsync().ConfigureAwait(false);
        GuardsCommands = false;
        Depth = 0;
    }

    // The transaction ends (rolled back unless committed) before the connection goes: a writer's connection is the
    // process's shared SQLite writer, which the next writer gets as soon as this one is disposed.
    private async ValueTask ReleaseConnectionAsync()
    {
        try
        {
            if (Transaction is not null) await Transaction.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            Transaction = null;
            if (_writer is not null) await _writer.DisposeAsync().ConfigureAwait(false);
            else if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false);
            _writer = null;
            _connection = null;
        }
    }
}
