using System.Data;
using Microsoft.Data.Sqlite;

namespace PosSupport.Core.Data;

/// <summary>
/// A SQLite connection that keeps its compiled statements: a command run on it with SQL it has run before uses the
/// statement compiled then (bound afresh, reset after use) instead of parsing and planning the text again.
/// Microsoft.Data.Sqlite keeps a compiled statement only inside the command object that made it, and Dapper makes a new
/// command for every call; compiling was about 60 % of SQLite's own time in the single writer (perf, 2026-12-05).
/// </summary>
/// <remarks>
/// Used for the process's one long-lived writer connection, whose statements are the same few hundred texts over and over.
/// Not thread-safe, like any connection. A text whose compiled statement is still being read (a reader left open while the
/// same SQL runs again) is compiled afresh for the second run. At most <see cref="Capacity"/> texts are kept; when a new
/// one would exceed it, the kept ones are finalized and the cache starts over (SQL built per call, such as an
/// <c>IN</c> list expanded to its length, must not push out the hot statements for good, nor grow without bound).
/// </remarks>
internal sealed class StatementReusingConnection(string connectionString) : SqliteConnection(connectionString)
{
    internal const int Capacity = 256;

    private readonly Dictionary<string, CompiledStatement> _compiled = new(StringComparer.Ordinal);

    /// <summary>How many SQL texts have a compiled statement kept (for tests).</summary>
    internal int CompiledCount => _compiled.Count;

    /// <summary>How many runs used a statement compiled by an earlier one (for tests).</summary>
    internal long Reused { get; private set; }

    public override SqliteCommand CreateCommand() =>
        new ReusingCommand(this) { CommandTimeout = DefaultTimeout, Transaction = Transaction };

    public override void Close()
    {
        // The kept statements belong to the native connection this one is about to give back: finalize them first.
        Forget();
        base.Close();
    }

    private void Forget()
    {
        foreach (var statement in _compiled.Values) statement.Dispose();
        _compiled.Clear();
    }

    private CompiledStatement? StatementFor(string sql)
    {
        if (_compiled.TryGetValue(sql, out var statement))
        {
            if (statement.InUse) return null;
            Reused++;
            return statement;
        }
        if (_compiled.Count >= Capacity) Forget();
        statement = new CompiledStatement(this, sql);
        _compiled.Add(sql, statement);
        return statement;
    }

    /// <summary>What <see cref="CreateCommand"/> hands out: runs its text through the connection's kept statement.</summary>
    private sealed class ReusingCommand : SqliteCommand
    {
        private readonly StatementReusingConnection _owner;

        public ReusingCommand(StatementReusingConnection connection)
        {
            _owner = connection;
            Connection = connection;
        }

        public override SqliteDataReader ExecuteReader(CommandBehavior behavior)
        {
            // Anything unusual (another connection set on the command, a reader already open, no text) takes the ordinary path,
            // which also throws the ordinary errors.
            if (!ReferenceEquals(Connection, _owner) || DataReader is not null || string.IsNullOrWhiteSpace(CommandText)
                || _owner.State != ConnectionState.Open || _owner.StatementFor(CommandText) is not { } statement)
                return base.ExecuteReader(behavior);
            return statement.Run(this, behavior);
        }
    }

    /// <summary>One SQL text's compiled statements, kept by the connection between runs.</summary>
    private sealed class CompiledStatement : SqliteCommand
    {
        public CompiledStatement(SqliteConnection connection, string sql)
        {
            Connection = connection;
            CommandText = sql;
        }

        public bool InUse => DataReader is not null;

        public SqliteDataReader Run(SqliteCommand caller, CommandBehavior behavior)
        {
            Parameters.Clear();
            foreach (SqliteParameter parameter in caller.Parameters) Parameters.Add(parameter);
            Transaction = caller.Transaction;
            CommandTimeout = caller.CommandTimeout;
            return ExecuteReader(behavior);
        }
    }
}
