using Dapper;
using Microsoft.Data.Sqlite;
using PosSupport.Core.Data;

namespace PosSupport.Core.Tests.Data;

/// <summary>
/// The SQLite writer keeps the statements it compiled and runs repeated SQL from them. These tests hold it to giving the
/// same answers as compiling every time: each call's own parameters, clean runs after a failure, a reader left open, a
/// batch of several statements, a schema that changed, and SQL built per call.
/// </summary>
public sealed class StatementReuseTests : IDisposable
{
    private readonly ScratchDatabases _scratch = new("possupport-statements-");

    private Task<CaseDatabase> NewDatabaseAsync() => _scratch.NewAsync("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)");

    private static StatementReusingConnection Kept(CaseDatabase.Writer writer) => Assert.IsType<StatementReusingConnection>(writer.Connection);

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task Repeated_sql_runs_from_its_compiled_statement_with_each_calls_own_parameters()
    {
        await using var database = await NewDatabaseAsync();
        await using var writer = await database.EnterWriteAsync(CancellationToken.None);
        var reusedBefore = Kept(writer).Reused;

        foreach (var text in new[] { "one", "two", "three" })
            await writer.Connection.ExecuteAsync("INSERT INTO notes (text) VALUES (@text)", new { text });
        var found = new List<string?>();
        foreach (var id in new[] { 3, 1, 2, 4 })
            found.Add(await writer.Connection.QuerySingleOrDefaultAsync<string>("SELECT text FROM notes WHERE id = @id", new { id }));

        Assert.Equal(["three", "one", "two", null], found);
        // Two of the inserts and three of the lookups ran without compiling.
        Assert.Equal(5, Kept(writer).Reused - reusedBefore);
    }

    [Fact]
    public async Task A_statement_that_failed_runs_cleanly_the_next_time()
    {
        await using var database = await NewDatabaseAsync();
        await using var writer = await database.EnterWriteAsync(CancellationToken.None);
        const string insert = "INSERT INTO notes (text) VALUES (@text)";

        await writer.Connection.ExecuteAsync(insert, new { text = "same" });
        var refused = await Assert.ThrowsAsync<SqliteException>(() => writer.Connection.ExecuteAsync(insert, new { text = "same" }));
        await writer.Connection.ExecuteAsync(insert, new { text = "other" });

        Assert.Equal(19, refused.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Equal(["same", "other"], await writer.Connection.QueryAsync<string>("SELECT text FROM notes ORDER BY id"));
    }

    [Fact]
    public async Task The_same_sql_runs_again_while_a_reader_of_it_is_still_open()
    {
        await using var database = await NewDatabaseAsync();
        await using var writer = await database.EnterWriteAsync(CancellationToken.None);
        await writer.Connection.ExecuteAsync("INSERT INTO notes (text) VALUES ('a'), ('b'), ('c')");
        const string sql = "SELECT text FROM notes WHERE id >= @from ORDER BY id";

        var outer = new List<string>();
        var inner = new List<string>();
        foreach (var text in writer.Connection.Query<string>(sql, new { from = 1 }, buffered: false))
        {
            outer.Add(text);
            if (inner.Count == 0) inner.AddRange(await writer.Connection.QueryAsync<string>(sql, new { from = 2 }));
        }

        Assert.Equal(["a", "b", "c"], outer);
        Assert.Equal(["b", "c"], inner);
    }

    [Fact]
    public async Task A_batch_of_statements_answers_each_run_with_that_runs_parameters()
    {
        await using var database = await NewDatabaseAsync();
        await using var writer = await database.EnterWriteAsync(CancellationToken.None);
        const string sql = "INSERT INTO notes (text) VALUES (@text); SELECT count(*) FROM notes; SELECT upper(@text)";

        var answers = new List<(long, string)>();
        foreach (var text in new[] { "x", "y" })
        {
            using var grid = await writer.Connection.QueryMultipleAsync(sql, new { text });
            answers.Add((await grid.ReadSingleAsync<long>(), await grid.ReadSingleAsync<string>()));
        }

        Assert.Equal([(1L, "X"), (2L, "Y")], answers);
    }

    [Fact]
    public async Task A_kept_statement_sees_a_column_added_after_it_was_compiled()
    {
        await using var database = await NewDatabaseAsync();
        await using var writer = await database.EnterWriteAsync(CancellationToken.None);
        await writer.Connection.ExecuteAsync("INSERT INTO notes (text) VALUES ('a')");
        const string sql = "SELECT * FROM notes";

        var before = (IDictionary<string, object>)(await writer.Connection.QuerySingleAsync(sql));
        await writer.Connection.ExecuteAsync("ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0");
        var after = (IDictionary<string, object>)(await writer.Connection.QuerySingleAsync(sql));

        Assert.Equal(["id", "text"], before.Keys);
        Assert.Equal(["id", "text", "pinned"], after.Keys);
    }

    [Fact]
    public async Task Sql_built_per_call_answers_every_call_and_keeps_no_more_than_the_capacity()
    {
        await using var database = await NewDatabaseAsync();
        await using var writer = await database.EnterWriteAsync(CancellationToken.None);
        var count = StatementReusingConnection.Capacity + 40;

        var answers = new List<long>();
        for (var i = 0; i < count; i++) answers.Add(await writer.Connection.ExecuteScalarAsync<long>($"SELECT {i} + @one", new { one = 1 }));

        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), answers);
        Assert.InRange(Kept(writer).CompiledCount, 1, StatementReusingConnection.Capacity);
    }
}
