using Dapper;
using PosSupport.Core.Merchants;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.Slices;

public abstract class MerchantPageTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;

    private static Caller Agent => Caller.Agent(Guid.NewGuid());

    [Fact]
    public async Task The_merchant_page_shows_devices_contract_terms_and_a_masked_phone()
    {
        var name = TestDataQueries.Unique("兰州拉面");
        var merchant = await Fixture.NamedMerchantAsync(name, phone: "13711112222");
        var spare = TestDataQueries.Unique("QSN");
        await Fixture.WithConnectionAsync(c => c.ExecuteAsync("""
            INSERT INTO devices (id, serial_number, model, status, activated_on, merchant_id, physical_damage)
            VALUES (@id, @spare, 'countertop', 'faulty', NULL, @merchantId, TRUE)
            """, new { id = Guid.NewGuid(), spare, merchantId = merchant.MerchantId }));

        var page = await Fixture.SendAsync(new GetMerchant.Query(merchant.MerchantId, Agent));

        Assert.Equal((merchant.MerchantId, name, "137****2222", "supermarket", "5411"),
            (page.Merchant.Id, page.Merchant.Name, page.Merchant.MaskedPhone, page.Merchant.Category, page.Merchant.Mcc));
        Assert.Equal(18, page.Merchant.LicenceNumber.Length);
        Assert.Equal([merchant.DeviceSerial, spare], page.Devices.Select(d => d.SerialNumber));
        Assert.Equal(("e-signature", "active", new DateOnly(2026, 3, 1), false),
            (page.Devices[0].Model, page.Devices[0].Status, page.Devices[0].ActivatedOn, page.Devices[0].PhysicalDamage));
        Assert.Equal(("faulty", true, (DateOnly?)null), (page.Devices[1].Status, page.Devices[1].PhysicalDamage, page.Devices[1].ActivatedOn));
        var contract = Assert.IsType<GetMerchant.ContractView>(page.Contract);
        Assert.Equal((merchant.ContractId!.Value, new DateOnly(2025, 6, 18)), (contract.Id, contract.SignedOn));
        Assert.Equal((38, true, 3_600L, 90, 24, 19_900L, true), (contract.Terms.FeeRateBp, contract.Terms.DataFeeClause, contract.Terms.DataFeeAmountFen,
            contract.Terms.DataFeeFreeDays, contract.Terms.WarrantyMonths, contract.Terms.ReplacementFeeFen, contract.Terms.DepositPaid));
        Assert.Null(contract.Terms.DataFeeWaiverVolumeFen);
        Assert.Empty(page.RecentCases);
    }

    [Fact]
    public async Task Recent_cases_come_newest_first_with_their_titles_up_to_the_number_asked()
    {
        var merchant = await Fixture.NamedMerchantAsync(TestDataQueries.Unique("水果店"));
        var opened = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            Fixture.Clock.Advance(TimeSpan.FromMinutes(1));
            opened.Add((await Fixture.OpenDataFeeAsync(merchant.MerchantId, Agent)).Id);
        }
        await Fixture.FireAsync(opened[2], "withdraw", Agent);

        var page = await Fixture.SendAsync(new GetMerchant.Query(merchant.MerchantId, Agent, RecentCases: 2));

        Assert.Equal([opened[2], opened[1]], page.RecentCases.Select(c => c.Id));
        var withdrawn = page.RecentCases[0];
        Assert.Equal(("closed", "final", "withdrawn", "已关闭"), (withdrawn.State, withdrawn.StateKind, withdrawn.Outcome, withdrawn.StateTitle.ZhCn));
        Assert.Equal(("data-fee-cancellation", "Data-fee cancellation or refund"), (withdrawn.Type, withdrawn.WorkflowTitle.En));
        Assert.Null(page.RecentCases[1].Outcome);
    }

    [Fact]
    public async Task A_merchant_without_a_contract_shows_none()
    {
        var merchant = await Fixture.NamedMerchantAsync(TestDataQueries.Unique("早餐店"), withContract: false);

        var page = await Fixture.SendAsync(new GetMerchant.Query(merchant.MerchantId, Caller.Supervisor(Guid.NewGuid())));

        Assert.Null(page.Contract);
        Assert.Single(page.Devices);
    }

    [Fact]
    public async Task Only_staff_open_a_merchant_page_and_an_unknown_merchant_is_not_found()
    {
        var merchant = await Fixture.NamedMerchantAsync(TestDataQueries.Unique("花店"));

        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new GetMerchant.Query(merchant.MerchantId, Caller.Channel(Guid.NewGuid()))));
        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new GetMerchant.Query(merchant.MerchantId, Caller.System("sweeper"))));
        var missing = await Assert.ThrowsAsync<NotFoundException>(() => Fixture.SendAsync(new GetMerchant.Query(Guid.NewGuid(), Agent)));
        Assert.Equal("Merchant", missing.What);
    }

    [Fact]
    public async Task A_bad_merchant_page_request_reports_every_field_at_once()
    {
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            Fixture.SendAsync(new GetMerchant.Query(Guid.Empty, Agent, RecentCases: GetMerchant.MaxRecentCases + 1)));

        Assert.Equal(["MerchantId", "RecentCases"], error.Errors.Keys.Order());
    }
}

public sealed class MerchantPageOnSqlite(SqliteSliceFixture fixture) : MerchantPageTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class MerchantPageOnPostgres(PostgresSliceFixture fixture) : MerchantPageTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
