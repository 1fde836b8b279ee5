using Dapper;
using PosSupport.Core.Data;

namespace PosSupport.Core.Tests.Data;

/// <summary>
/// SQLite's write-ahead log is copied back into the database file in the background, not inside the single writer's
/// commit; these tests hold the background copy to happening, under a steady stream of writes and after a quiet spell.
/// </summary>
public sealed class WalCheckpointTests : IDisposable
{
    private readonly ScratchDatabases _scratch = new("possupport-checkpoint-");

    public void Dispose() => _scratch.Dispose();

    private static async Task WriteAsync(CaseDatabase database, int turns)
    {
        for (var i = 0; i < turns; i++)
        {
            await using var writer = await database.EnterWriteAsync(CancellationToken.None);
            await using var transaction = await writer.Connection.BeginTransactionAsync();
            await writer.Connection.ExecuteAsync("INSERT INTO notes (text) VALUES (@text)", new { text = new string('x', 3000) }, transaction);
            await transaction.CommitAsync();
        }
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(20);
        return condition();
    }

    [Fact]
    public async Task A_steady_stream_of_writes_is_copied_into_the_database_file_while_the_writer_leaves_checkpoints_to_the_background()
    {
        await using var database = await _scratch.NewAsync("CREATE TABLE notes (text TEXT NOT NULL)");
        var file = Path.Combine(database.DataDirectory, "possupport.db");
        var before = new FileInfo(file).Length;

        await WriteAsync(database, 300);

        Assert.True(await EventuallyAsync(() => database.Checkpoints > 0), "no background checkpoint ran");
        Assert.True(await EventuallyAsync(() => new FileInfo(file).Length > before + 100 * 3000), "the log was not copied into the database file");
        await using (var writer = await database.EnterWriteAsync(CancellationToken.None))
        {
            // The writer's own automatic checkpoint is only a backstop, far above SQLite's 1,000 pages.
            Assert.Equal(10_000, await writer.Connection.ExecuteScalarAsync<int>("PRAGMA wal_autocheckpoint"));
        }
        await using var reader = await database.OpenAsync(CancellationToken.None);
        Assert.Equal(300, await reader.ExecuteScalarAsync<int>("SELECT count(*) FROM notes"));
    }

    [Fact]
    public async Task A_few_writes_followed_by_a_quiet_spell_are_copied_into_the_database_file_too()
    {
        await using var database = await _scratch.NewAsync("CREATE TABLE notes (text TEXT NOT NULL)");

        await WriteAsync(database, 3);

        Assert.True(await EventuallyAsync(() => database.Checkpoints > 0), "no checkpoint after a quiet spell");
        await using var reader = await database.OpenAsync(CancellationToken.None);
        var (busy, log, copied) = await reader.QuerySingleAsync<(long, long, long)>("PRAGMA wal_checkpoint(PASSIVE)");
        Assert.Equal(0, busy);
        Assert.Equal(log, copied);
    }
}
