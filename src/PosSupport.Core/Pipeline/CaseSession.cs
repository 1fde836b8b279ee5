using System.Data.Common;
using Dapper;
using MediatR;
using PosSupport.Core.Data;

namespace PosSupport.Core.Pipeline;

/// <summary>
/// The connection (and, for commands, the transaction) of one request. Scoped: the transaction behavior opens
/// it, handlers use it, and notifications raised through it wait until commit. Not thread-safe, like the request.
/// </summary>
public sealed class CaseSession(CaseDatabase database) : IAsyncDisposable
{
    private DbConnection? _connection;
    private IAsyncDisposable? _writeGate;
    private readonly List<INotification> _afterCommit = [];
    private readonly List<Action> _onCommitted = [];

    public CaseDatabase Database => database;
    public DatabaseProvider Provider => database.Provider;
    public bool IsOpen => _connection is not null;
    public DbTransaction? Transaction { get; private set; }

    public DbConnection Connection => _connection ?? throw new InvalidOperationException("The request has no open session; send it through IMediator.");

    internal async Task OpenAsync(bool write, CancellationToken cancellationToken)
    {
        _onCommitted.Clear();
        if (write) _writeGate = await database.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        _connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (write) Transaction = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
    }

    internal async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (Transaction is not null) await Transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
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

    internal IReadOnlyList<INotification> TakeNotifications()
    {
        var pending = _afterCommit.ToList();
        _afterCommit.Clear();
        return pending;
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
        if (Transaction is not null) await Transaction.DisposeAsync().ConfigureAwait(false);
        if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false);
        if (_writeGate is not null) await _writeGate.DisposeAsync().ConfigureAwait(false);
        Transaction = null;
        _connection = null;
        _writeGate = null;
    }
}
