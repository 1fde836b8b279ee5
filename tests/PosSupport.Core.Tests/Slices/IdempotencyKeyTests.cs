using PosSupport.Core.Idempotency;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.Slices;

public abstract class IdempotencyKeyTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;

    private static readonly TimeSpan Day = TimeSpan.FromHours(24);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    private Task<ClaimIdempotencyKey.Result> ClaimAsync(Guid client, string key, string hash) =>
        Fixture.SendAsync(new ClaimIdempotencyKey.Command(client, key, hash, Day, Lease));

    [Fact]
    public async Task A_key_is_claimed_once_then_busy_then_replayed_with_the_stored_response()
    {
        var client = Guid.NewGuid();
        var response = new StoredResponse(201, "application/json; charset=utf-8", "/api/v1/cases/1", null, """{"number":"DF-2026-000001"}""");

        var first = await ClaimAsync(client, "k1", "h1");
        var twin = await ClaimAsync(client, "k1", "h1");
        await Fixture.SendAsync(new CompleteIdempotencyKey.Command(client, "k1", response));
        var replay = await ClaimAsync(client, "k1", "h1");
        var otherBody = await ClaimAsync(client, "k1", "h2");
        var otherClient = await ClaimAsync(Guid.NewGuid(), "k1", "h2");

        Assert.Equal(ClaimIdempotencyKey.Outcome.Claimed, first.Outcome);
        Assert.Equal(ClaimIdempotencyKey.Outcome.InFlight, twin.Outcome);
        Assert.Equal((ClaimIdempotencyKey.Outcome.Replay, response), (replay.Outcome, replay.Stored));
        Assert.Equal(ClaimIdempotencyKey.Outcome.DifferentRequest, otherBody.Outcome);
        Assert.Equal(ClaimIdempotencyKey.Outcome.Claimed, otherClient.Outcome);
    }

    [Fact]
    public async Task A_server_failure_releases_the_key_so_the_retry_runs_again()
    {
        var client = Guid.NewGuid();
        await ClaimAsync(client, "k2", "h");

        await Fixture.SendAsync(new CompleteIdempotencyKey.Command(client, "k2", null));

        Assert.Equal(ClaimIdempotencyKey.Outcome.Claimed, (await ClaimAsync(client, "k2", "h")).Outcome);
    }

    [Fact]
    public async Task Keys_are_kept_24_hours_and_a_claim_abandoned_past_its_lease_can_be_taken_over()
    {
        var client = Guid.NewGuid();
        await ClaimAsync(client, "kept", "h");
        await Fixture.SendAsync(new CompleteIdempotencyKey.Command(client, "kept", new StoredResponse(200, null, null, null, "{}")));
        await ClaimAsync(client, "abandoned", "h");

        Fixture.Clock.Advance(Lease + TimeSpan.FromSeconds(1));
        var takenOver = await ClaimAsync(client, "abandoned", "h");
        Fixture.Clock.Advance(Day - Lease - TimeSpan.FromMinutes(1));
        var stillKept = await ClaimAsync(client, "kept", "h");
        Fixture.Clock.Advance(TimeSpan.FromMinutes(2));
        var expired = await ClaimAsync(client, "kept", "other");

        Assert.Equal(ClaimIdempotencyKey.Outcome.Claimed, takenOver.Outcome);
        Assert.Equal(ClaimIdempotencyKey.Outcome.Replay, stillKept.Outcome);
        Assert.Equal(ClaimIdempotencyKey.Outcome.Claimed, expired.Outcome);
    }

    [Fact]
    public async Task Expired_keys_are_purged_in_batches_and_fresh_ones_are_kept()
    {
        var client = Guid.NewGuid();
        foreach (var key in new[] { "old-1", "old-2", "old-3" })
        {
            await ClaimAsync(client, key, "h");
            await Fixture.SendAsync(new CompleteIdempotencyKey.Command(client, key, new StoredResponse(200, null, null, null, "{}")));
        }
        Fixture.Clock.Advance(Day + TimeSpan.FromMinutes(1));
        await ClaimAsync(client, "fresh", "h");
        await Fixture.SendAsync(new CompleteIdempotencyKey.Command(client, "fresh", new StoredResponse(200, null, null, null, "{}")));

        // Other tests of this class leave expired keys of their own clients: the batches count theirs too.
        var batches = new List<int>();
        do batches.Add(await Fixture.SendAsync(new PurgeIdempotencyKeys.Command(Day, Limit: 2)));
        while (batches[^1] == 2 && batches.Count < 100);

        Assert.All(batches, b => Assert.InRange(b, 0, 2));
        Assert.True(batches.Sum() >= 3, string.Join(", ", batches));
        Assert.Equal(0, await Fixture.SendAsync(new PurgeIdempotencyKeys.Command(Day, Limit: 2)));
        Assert.Equal(["fresh"], await Fixture.QueryAsync<string>("SELECT idempotency_key FROM idempotency_keys WHERE client_id = @client", new { client }));
        Assert.Equal(ClaimIdempotencyKey.Outcome.Replay, (await ClaimAsync(client, "fresh", "h")).Outcome);
    }
}

public sealed class IdempotencyKeyOnSqlite(SqliteSliceFixture fixture) : IdempotencyKeyTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class IdempotencyKeyOnPostgres(PostgresSliceFixture fixture) : IdempotencyKeyTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
