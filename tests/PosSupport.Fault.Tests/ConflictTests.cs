using PosSupport.Testing;

namespace PosSupport.Fault.Tests;

/// <summary>Fifty parallel conflicting commands on one case, and one Idempotency-Key stormed a hundred times.</summary>
public abstract class ConflictTests<THost>(THost host) where THost : RunningHost
{
    [Fact]
    public async Task Fifty_commands_on_the_same_version_leave_one_winner_and_the_rest_get_409_or_412()
    {
        var report = await ConflictScenario.RunAsync(host.Environment, host.Host.BaseAddress, host.AgentKey, 50, FaultHosts.Timeout());

        var round = report.Rounds.Single(r => r.Name == "same-version");
        Assert.True(round.Problems.Count == 0, FaultHosts.Explain(round.Problems));
        Assert.Equal(1, round.Wins);
        Assert.Equal(49, round.Conflicts);
        var competing = report.Rounds.Single(r => r.Name == "competing-transitions");
        Assert.True(competing.Problems.Count == 0, FaultHosts.Explain(competing.Problems));
        Assert.True(competing.Wins >= 1);
        Assert.DoesNotContain(competing.Refusals.Keys, status => status.StartsWith('5'));
    }

    [Fact]
    public async Task One_key_replayed_100_times_50_at_once_has_one_effect_and_one_answer_and_another_body_gets_422()
    {
        var storms = await IdempotencyStorm.RunAsync(host.Environment, host.Host.BaseAddress, host.AgentKey, 100, 50, FaultHosts.Timeout());

        foreach (var (name, storm) in storms)
        {
            Assert.True(storm.Problems.Count == 0, $"{name}: {FaultHosts.Explain(storm.Problems)}");
            Assert.Equal(100, storm.Sends);
            Assert.Equal(1, storm.DistinctAnswers);
            Assert.Equal(1, storm.Effects);
            Assert.Equal(422, storm.ReusedKey.Status);
        }
    }
}

[Collection(FaultHosts.Name)]
public sealed class ConflictOnSqlite(SqliteHost host) : ConflictTests<SqliteHost>(host), IClassFixture<SqliteHost>;

[Collection(FaultHosts.Name)]
public sealed class ConflictOnPostgres(PostgresHost host) : ConflictTests<PostgresHost>(host), IClassFixture<PostgresHost>;
