using PosSupport.Core.Cases;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.Slices;

public abstract class SwitchPosTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;

    [Fact]
    public async Task Switching_terminals_ends_the_data_fee_case_and_opens_a_device_case_linked_both_ways()
    {
        var merchant = await Fixture.MerchantAsync();
        var agent = Caller.Agent(await Fixture.UserAsync("agent", "billing"));
        var opened = await Fixture.SendAsync(new OpenCase.Command("data-fee-cancellation", merchant.MerchantId, "不想要流量费了，想换台机器", agent,
            DeviceSerial: merchant.DeviceSerial, ClaimAmountFen: 9_900, ClaimChargedOn: new DateOnly(2026, 11, 1)));

        var switched = await Fixture.SendAsync(new FireTrigger.Command(opened.Id, "switch-pos", new Dictionary<string, string>(), agent));

        Assert.Equal("switched-to-device-case", switched.State);
        var linked = await Fixture.ScalarAsync<Guid>("SELECT linked_case_id FROM cases WHERE id = @Id", opened);
        Assert.Equal(opened.Id, await Fixture.ScalarAsync<Guid>("SELECT linked_case_id FROM cases WHERE id = @linked", new { linked }));
        Assert.Equal("intake", await Fixture.ScalarAsync<string>("SELECT state FROM cases WHERE id = @linked", new { linked }));
        Assert.Equal(merchant.DeviceId, await Fixture.ScalarAsync<Guid>("SELECT device_id FROM cases WHERE id = @linked", new { linked }));
        var number = await Fixture.ScalarAsync<string>("SELECT number FROM cases WHERE id = @linked", new { linked });
        Assert.Contains(number, await Fixture.ScalarAsync<string>("SELECT data FROM case_events WHERE case_id = @Id AND kind = 'linked-case-opened'", opened),
            StringComparison.Ordinal);
    }
}

public sealed class SwitchPosOnSqlite(SqliteSliceFixture f) : SwitchPosTests<SqliteSliceFixture>(f), IClassFixture<SqliteSliceFixture>;

public sealed class SwitchPosOnPostgres(PostgresSliceFixture f) : SwitchPosTests<PostgresSliceFixture>(f), IClassFixture<PostgresSliceFixture>;
