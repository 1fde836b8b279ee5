using Dapper;
using PosSupport.Core.Data;

namespace PosSupport.Core.Tests.Data;

/// <summary>
/// SQLite writes take turns on one long-lived connection. These tests hold it to what the next writer relies on: it gets
/// the same warm connection after a clean turn, and a clean one after a turn that left a transaction open.
/// </summary>
public sealed class SqliteWriterTests : IDisposable
{
    private readonly ScratchDatabases _scratch = new("possupport-writer-");

    private Task<CaseDatabase> NewDatabaseAsync() => _scratch.NewAsync("CREATE TABLE notes (text TEXT NOT NULL)");

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task A_pooled_connection_opened_again_still_enforces_foreign_keys_and_waits_for_a_busy_database()
    {
        await using var database = await NewDatabaseAsync();
        var seen = new List<(long ForeignKeys, long BusyTimeout, long Synchronous, long TempStore)>();
        SQLitePCL.sqlite3? first = null;
        var reused = false;
        for (var i = 0; i < 3; i++)
        {
            await using var connection = await database.OpenAsync(CancellationToken.None);
            var handle = ((Microsoft.Data.Sqlite.SqliteConnection)connection).Handle;
            reused |= first is not null && ReferenceEquals(handle, first);
            first ??= handle;
            seen.Add((await connection.ExecuteScalarAsync<long>("PRAGMA foreign_keys"), await connection.ExecuteScalarAsync<long>("PRAGMA busy_timeout"),
                await connection.ExecuteScalarAsync<long>("PRAGMA synchronous"), await connection.ExecuteScalarAsync<long>("PRAGMA temp_store")));
        }

        Assert.True(reused);
        // foreign_keys on, 10 s busy timeout, synchronous NORMAL (1; durability is the log flush), temp_store MEMORY (2).
        Assert.All(seen, s => Assert.Equal((1L, 10_000L, 1L, 2L), s));
    }

    [Fact]
    public async Task Writers_one_after_another_share_one_connection_and_see_each_others_commits()
    {
        await using var database = await NewDatabaseAsync();
        System.Data.Common.DbConnection first;
        await using (var writer = await database.EnterWriteAsync(CancellationToken.None))
        {
            first = writer.Connection;
            await using var transaction = await writer.Connection.BeginTransactionAsync();
            await writer.Connection.ExecuteAsync("INSERT INTO notes (text) VALUES ('one')", transaction: transaction);
            await transaction.CommitAsync();
        }

        await using (var writer = await database.EnterWriteAsync(CancellationToken.None))
        {
            Assert.Same(first, writer.Connection);
            Assert.Equal(1, await writer.Connection.ExecuteScalarAsync<int>("SELECT count(*) FROM notes"));
        }
    }

    [Fact]
    public async Task A_writer_given_back_inside_a_transaction_has_it_rolled_back_so_the_next_writer_does_not_commit_its_half_done_write()
    {
        await using var database = await NewDatabaseAsync();
        await using (var writer = await database.EnterWriteAsync(CancellationToken.None))
        {
            // As if a rollback had failed: the connection goes back with a transaction still open on it.
            await writer.Connection.ExecuteAsync("BEGIN; INSERT INTO notes (text) VALUES ('half done')");
        }

        await using (var writer = await database.EnterWriteAsync(CancellationToken.None))
        {
            await using var transaction = await writer.Connection.BeginTransactionAsync();
            await writer.Connection.ExecuteAsync("INSERT INTO notes (text) VALUES ('next')", transaction: transaction);
            await transaction.CommitAsync();
        }

        // A pooled reader (the pool may hand out a connection the writer once was) sees only the committed write.
        await using var reader = await database.OpenAsync(CancellationToken.None);
        Assert.Equal(["next"], await reader.QueryAsync<string>("SELECT text FROM notes"));
    }

    [Fact]
    public async Task A_second_writer_waits_until_the_first_gives_the_connection_back()
    {
        await using var database = await NewDatabaseAsync();
        var first = await database.EnterWriteAsync(CancellationToken.None);
        var second = database.EnterWriteAsync(CancellationToken.None);
        await Task.Delay(100);
        Assert.False(second.IsCompleted);

        await first.DisposeAsync();
        await using var next = await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Same(first.Connection, next.Connection);
    }

    [Fact]
    public async Task A_commit_made_alone_is_on_disk_when_its_wait_returns_without_handing_over_to_another_thread()
    {
        await using var database = await NewDatabaseAsync();
        await CommitNoteAsync(database, "alone");
        var before = database.LogFlushes;

        var durable = database.WaitDurableAsync(CancellationToken.None);

        Assert.True(durable.IsCompletedSuccessfully, "A lone commit's flush runs on the caller's thread.");
        Assert.Equal(before + 1, database.LogFlushes);
    }

    [Fact]
    public async Task Commits_waiting_for_the_disk_at_the_same_time_all_return_and_never_need_more_flushes_than_commits()
    {
        await using var database = await NewDatabaseAsync();
        var before = database.LogFlushes;
        const int Commits = 40;

        await Task.WhenAll(Enumerable.Range(0, Commits).Select(i => Task.Run(async () =>
        {
            await CommitNoteAsync(database, $"note {i}");
            await database.WaitDurableAsync(CancellationToken.None);
        }))).WaitAsync(TimeSpan.FromSeconds(60));

        var flushes = database.LogFlushes - before;
        Assert.InRange(flushes, 1, Commits);
        await using var reader = await database.OpenAsync(CancellationToken.None);
        Assert.Equal(Commits, await reader.ExecuteScalarAsync<int>("SELECT count(*) FROM notes"));
    }

    private static async Task CommitNoteAsync(CaseDatabase database, string text)
    {
        await using var writer = await database.EnterWriteAsync(CancellationToken.None);
        await using var transaction = await writer.Connection.BeginTransactionAsync();
        await writer.Connection.ExecuteAsync("INSERT INTO notes (text) VALUES (@text)", new { text }, transaction);
        await transaction.CommitAsync();
    }
}
