using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using PosSupport.Core.FollowUps;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.FollowUps;

/// <summary>
/// The web host arms new follow-ups in the background: a command posts its rows' ids and the loop arms them in batches.
/// Here the loop runs on the fixture's database and recording clock.
/// </summary>
public abstract class FollowUpArmingLoopTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private async Task<List<Guid>> UnarmedRowsOfANewCaseAsync()
    {
        var (opened, _) = await fixture.OpenDataFeeCaseAsync();
        // As if the request had only posted them: pending, committed, no job yet; and due within minutes (the shipped
        // workflows' follow-ups are days away, beyond FollowUpArming.Reach, and left for the sweep).
        var soon = fixture.Clock.GetUtcNow() + TimeSpan.FromMinutes(5);
        await fixture.WithConnectionAsync(c => Dapper.SqlMapper.ExecuteAsync(c,
            "UPDATE follow_ups SET job_id = NULL, due_at = @soon WHERE case_id = @Id AND status = 'pending'", new { opened.Id, soon }));
        return await fixture.QueryAsync<Guid>("SELECT id FROM follow_ups WHERE case_id = @Id AND status = 'pending' ORDER BY id", opened);
    }

    private static async Task WaitUntilIdleAsync(FollowUpArmingLoop loop)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (loop.Waiting > 0)
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"{loop.Waiting} row(s) still waiting after {Patience.TotalSeconds:0} s.");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Rows_posted_by_several_commands_are_armed_and_a_row_cancelled_meanwhile_is_not()
    {
        var first = await UnarmedRowsOfANewCaseAsync();
        var second = await UnarmedRowsOfANewCaseAsync();
        Assert.True(first.Count >= 2, $"{first.Count} pending row(s)");
        // The merchant's case moved on before the loop got to this row.
        var cancelled = second[0];
        await fixture.WithConnectionAsync(c => Dapper.SqlMapper.ExecuteAsync(c, "UPDATE follow_ups SET status = 'cancelled' WHERE id = @cancelled", new { cancelled }));

        var loop = new FollowUpArmingLoop(fixture.Services.GetRequiredService<IServiceScopeFactory>(), NullLogger<FollowUpArmingLoop>.Instance);
        loop.Post(first);
        loop.Post(second);
        Assert.Equal(first.Count + second.Count, loop.Waiting);
        await loop.StartAsync(CancellationToken.None);
        try
        {
            await WaitUntilIdleAsync(loop);
        }
        finally
        {
            await loop.StopAsync(CancellationToken.None);
        }

        foreach (var id in first.Concat(second.Skip(1)))
        {
            var job = await fixture.ScalarAsync<string?>("SELECT job_id FROM follow_ups WHERE id = @id", new { id });
            Assert.True(job is not null && fixture.Scheduler.IsLive(job), $"row {id} has job '{job}'");
        }
        Assert.Null(await fixture.ScalarAsync<string?>("SELECT job_id FROM follow_ups WHERE id = @cancelled", new { cancelled }));
    }

    [Fact]
    public async Task Rows_due_beyond_reach_are_left_without_a_job_by_the_loop()
    {
        var (opened, _) = await fixture.OpenDataFeeCaseAsync();
        var rows = await fixture.QueryAsync<Guid>("SELECT id FROM follow_ups WHERE case_id = @Id AND status = 'pending' ORDER BY id", opened);
        Assert.NotEmpty(rows);
        var loop = new FollowUpArmingLoop(fixture.Services.GetRequiredService<IServiceScopeFactory>(), NullLogger<FollowUpArmingLoop>.Instance);
        loop.Post(rows);
        await loop.StartAsync(CancellationToken.None);
        try
        {
            await WaitUntilIdleAsync(loop);
        }
        finally
        {
            await loop.StopAsync(CancellationToken.None);
        }

        // A reminder a day away, an evidence time-out a week away, SLA clocks hours away: none gets a job now.
        Assert.Empty(await fixture.QueryAsync<string>(
            "SELECT job_id FROM follow_ups WHERE case_id = @Id AND status = 'pending' AND job_id IS NOT NULL", opened));
    }

    [Fact]
    public async Task Rows_posted_while_the_host_is_stopped_stay_pending_for_the_sweeper()
    {
        var rows = await UnarmedRowsOfANewCaseAsync();
        var loop = new FollowUpArmingLoop(fixture.Services.GetRequiredService<IServiceScopeFactory>(), NullLogger<FollowUpArmingLoop>.Instance);
        loop.Post(rows);

        // Never started: the host died with the ids posted. The rows are committed and unarmed...
        foreach (var id in rows)
            Assert.Null(await fixture.ScalarAsync<string?>("SELECT job_id FROM follow_ups WHERE id = @id AND status = 'pending'", new { id }));

        // ...which is what the sweeper arms when a host starts.
        await fixture.SendAsync(new SweepFollowUps.Command());
        foreach (var id in rows)
            Assert.NotNull(await fixture.ScalarAsync<string?>("SELECT job_id FROM follow_ups WHERE id = @id", new { id }));
    }
}

public sealed class FollowUpArmingLoopOnSqlite(SqliteSliceFixture fixture)
    : FollowUpArmingLoopTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class FollowUpArmingLoopOnPostgres(PostgresSliceFixture fixture)
    : FollowUpArmingLoopTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
