using PosSupport.Core.Merchants;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.Slices;

public abstract class FindMerchantsTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;

    [Fact]
    public async Task Intake_finds_a_merchant_by_name_serial_or_the_phones_last_four_digits_with_the_phone_masked()
    {
        var name = TestDataQueries.Unique("花店");
        var serial = TestDataQueries.Unique("FSN");
        var phone = "139" + Random.Shared.Next(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var merchant = await Fixture.NamedMerchantAsync(name, phone: phone, serial: serial);
        var staff = Caller.Agent(Guid.NewGuid());

        var byName = Assert.Single(await Fixture.SendAsync(new FindMerchants.Query(name[2..], staff)));
        Assert.Equal(merchant.MerchantId, byName.Id);
        Assert.Equal(serial, Assert.Single(byName.Devices).SerialNumber);
        Assert.Equal($"139****{phone[^4..]}", byName.MaskedPhone);

        Assert.Equal(merchant.MerchantId, Assert.Single(await Fixture.SendAsync(new FindMerchants.Query(serial.ToLowerInvariant(), staff))).Id);
        Assert.Contains(await Fixture.SendAsync(new FindMerchants.Query(phone[^4..], staff)), m => m.Id == merchant.MerchantId);
        Assert.Empty(await Fixture.SendAsync(new FindMerchants.Query(TestDataQueries.Unique("无此商户"), staff)));
    }

    [Fact]
    public async Task Only_staff_search_merchants()
    {
        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new FindMerchants.Query("花店", Caller.Channel(Guid.NewGuid()))));
    }
}

public sealed class FindMerchantsOnSqlite(SqliteSliceFixture fixture) : FindMerchantsTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class FindMerchantsOnPostgres(PostgresSliceFixture fixture) : FindMerchantsTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
