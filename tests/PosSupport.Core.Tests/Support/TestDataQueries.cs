using Dapper;
using PosSupport.Core.Cases;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Tests.Support;

/// <summary>Set-up for the read-side tests: merchants with chosen names, phones and serials; channels; cases in known states.</summary>
public static class TestDataQueries
{
    private static readonly Dictionary<string, string> NoInputs = [];

    /// <summary><paramref name="prefix"/> and ten random capital letters (no digits, so digit searches never hit them by chance).</summary>
    public static string Unique(string prefix) =>
        prefix + string.Concat(Guid.NewGuid().ToString("N")[..10].Select(c => (char)('A' + Convert.ToInt32(c.ToString(), 16))));

    public static async Task<TestData.MerchantSetup> NamedMerchantAsync(this SliceFixture fixture, string name, string phone = "13900001234",
        string? serial = null, bool withContract = true)
    {
        var merchantId = Guid.NewGuid();
        var deviceId = Guid.NewGuid();
        serial ??= Unique("QSN");
        Guid? contractId = withContract ? Guid.NewGuid() : null;
        await fixture.WithConnectionAsync(async connection =>
        {
            await connection.ExecuteAsync("""
                INSERT INTO merchants (id, name, licence_number, mcc, category, phone, preferred_language, trailing_year_volume_fen, created_at)
                VALUES (@merchantId, @name, @licence, '5411', 'supermarket', @phone, 'zh-CN', 0, @now)
                """, new { merchantId, name, licence = "91" + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant(), phone, now = SliceFixture.Start });
            await connection.ExecuteAsync("""
                INSERT INTO devices (id, serial_number, model, status, activated_on, merchant_id, physical_damage)
                VALUES (@deviceId, @serial, 'e-signature', 'active', @activatedOn, @merchantId, FALSE)
                """, new { deviceId, serial, activatedOn = new DateOnly(2026, 3, 1), merchantId });
            if (contractId is not null)
                await connection.ExecuteAsync("""
                    INSERT INTO contracts (id, merchant_id, signed_on, fee_rate_bp, data_fee_clause, data_fee_amount_fen, data_fee_period_months,
                                           data_fee_free_days, data_fee_waiver_volume_fen, refund_window_days, fee_notice_clause, fee_notice_given,
                                           warranty_months, deposit_fen, deposit_paid, replacement_fee_fen, device_leased)
                    VALUES (@contractId, @merchantId, @signedOn, 38, TRUE, 3600, 12, 90, NULL, 30, TRUE, TRUE, 24, 9900, TRUE, 19900, FALSE)
                    """, new { contractId, merchantId, signedOn = new DateOnly(2025, 6, 18) });
            return 0;
        });
        return new TestData.MerchantSetup(merchantId, deviceId, serial, contractId);
    }

    /// <summary>A data-fee case: with a contract on file it waits on the merchant's evidence, without one it stays gathering the contract.</summary>
    public static Task<OpenCase.Result> OpenDataFeeAsync(this SliceFixture fixture, Guid merchantId, Caller caller, string? deviceSerial = null) =>
        fixture.SendAsync(new OpenCase.Command("data-fee-cancellation", merchantId, "流量费被扣了36元", caller, DeviceSerial: deviceSerial,
            ClaimAmountFen: 3_600, ClaimChargedOn: new DateOnly(2026, 11, 1)));

    public static Task<OpenCase.Result> OpenFeeRateAsync(this SliceFixture fixture, Guid merchantId, Caller caller) =>
        fixture.SendAsync(new OpenCase.Command("fee-rate-dispute", merchantId, "费率不对", caller, ClaimChargedRateBp: 60, ClaimAmountFen: 5_500));



    /// <summary>Sets the assignee directly (set-up only: the row's version and timestamps stay as they are).</summary>
    public static Task AssignAsync(this SliceFixture fixture, Guid caseId, Guid? userId) =>
        fixture.WithConnectionAsync(c => c.ExecuteAsync("UPDATE cases SET assignee_id = @userId WHERE id = @caseId", new { caseId, userId }));
}
