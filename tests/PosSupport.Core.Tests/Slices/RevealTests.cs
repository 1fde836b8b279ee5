using PosSupport.Core.Cases;
using PosSupport.Core.Merchants;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.Slices;

public abstract class RevealTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;

    [Fact]
    public async Task A_supervisor_sees_the_full_phone_and_the_timeline_records_the_reveal_without_the_number()
    {
        var merchant = await Fixture.NamedMerchantAsync(TestDataQueries.Unique("商户"), phone: "13812345678");
        var opened = await Fixture.OpenDataFeeAsync(merchant.MerchantId, Caller.Agent(Guid.NewGuid()));
        var supervisor = Caller.Supervisor(Guid.NewGuid());

        var revealed = await Fixture.SendAsync(new RevealMerchantPhone.Command(opened.Id, supervisor));

        Assert.Equal("13812345678", revealed.Phone);
        var events = (await Fixture.SendAsync(new GetTimeline.Query(opened.Id, supervisor, Limit: 200))).Events;
        var reveal = Assert.Single(events, e => e.Kind == "sensitive-revealed");
        Assert.False(reveal.MerchantVisible);
        Assert.Equal(supervisor.Id, reveal.ActorId);
        Assert.DoesNotContain("12345678", reveal.Data.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(Fixture.Logs.Lines, line => line.Contains("12345678", StringComparison.Ordinal));
        await Fixture.AssertTimelineContiguousAsync(opened.Id);
    }

    [Fact]
    public async Task Agents_and_channels_cannot_reveal_a_phone()
    {
        var merchant = await Fixture.NamedMerchantAsync(TestDataQueries.Unique("商户"));
        var opened = await Fixture.OpenDataFeeAsync(merchant.MerchantId, Caller.Agent(Guid.NewGuid()));

        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new RevealMerchantPhone.Command(opened.Id, Caller.Agent(Guid.NewGuid()))));
        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new RevealMerchantPhone.Command(opened.Id, Caller.Channel(Guid.NewGuid()))));
    }
}

public sealed class RevealOnSqlite(SqliteSliceFixture fixture) : RevealTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class RevealOnPostgres(PostgresSliceFixture fixture) : RevealTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
