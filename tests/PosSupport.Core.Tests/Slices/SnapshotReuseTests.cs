using Microsoft.Extensions.DependencyInjection;
using PosSupport.Core.Cases;
using PosSupport.Core.Data;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.Slices;

/// <summary>
/// A transition may start from the snapshot its caller read to decide on it (the guards' facts and the offer on the table),
/// instead of reading them again; one read before the case was last written must never decide a transition.
/// </summary>
public abstract class SnapshotReuseTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;
    private static readonly Caller Agent = Caller.Agent(Guid.NewGuid());
    private static readonly IReadOnlyDictionary<string, string> NoInputs = new Dictionary<string, string>();

    [Fact]
    public async Task A_transition_refuses_a_snapshot_read_before_the_case_was_written_again_and_writes_nothing()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync();
        var events = await Fixture.EventCountAsync(opened.Id);

        await using (var scope = Fixture.Services.CreateAsyncScope())
        {
            var unit = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
            var store = scope.ServiceProvider.GetRequiredService<CaseStore>();
            var workflow = scope.ServiceProvider.GetRequiredService<CaseWorkflow>();
            var options = scope.ServiceProvider.GetRequiredService<PosSupportOptions>();
            await unit.BeginAsync(guardEachCommand: false, CancellationToken.None);
            var record = await store.LoadLockedAsync(opened.Id, CancellationToken.None);
            var read = await store.ReadSnapshotAsync(record, options.AgentOfferAuthorityFen, CancellationToken.None);
            await store.BumpAsync(record, null, CancellationToken.None);

            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                workflow.FireAsync(record, Agent, "withdraw", NoInputs, null, read, CancellationToken.None));
            Assert.Contains($"version {read.Snapshot.Version}", refused.Message, StringComparison.Ordinal);
            await unit.RollbackAsync();
        }

        Assert.Equal((opened.Version, "collecting-evidence", events),
            (await Fixture.VersionAsync(opened.Id), await Fixture.ScalarAsync<string>("SELECT state FROM cases WHERE id = @Id", opened), await Fixture.EventCountAsync(opened.Id)));
    }
}

public sealed class SnapshotReuseOnSqlite(SqliteSliceFixture fixture) : SnapshotReuseTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class SnapshotReuseOnPostgres(PostgresSliceFixture fixture) : SnapshotReuseTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
