using Dapper;
using PosSupport.Core.Data;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Tests.Support;

/// <summary>Rows a test needs, written straight to the database (set-up is not what the test is about).</summary>
public static class TestData
{
    public sealed record MerchantSetup(Guid MerchantId, Guid DeviceId, string DeviceSerial, Guid? ContractId);

    public static async Task<MerchantSetup> MerchantAsync(this SliceFixture fixture, bool withContract = true, bool dataFeeClause = true,
        bool feeNoticeGiven = true, int refundWindowDays = 30, long? waiverVolumeFen = null, long trailingYearVolumeFen = 0,
        int warrantyMonths = 12, DateOnly? activatedOn = null, int feeRateBp = 55, string language = "zh-CN")
    {
        var merchantId = Guid.NewGuid();
        var deviceId = Guid.NewGuid();
        var serial = "SN" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        Guid? contractId = withContract ? Guid.NewGuid() : null;
        await fixture.WithConnectionAsync(async connection =>
        {
            await connection.ExecuteAsync("""
                INSERT INTO merchants (id, name, licence_number, mcc, category, phone, preferred_language, trailing_year_volume_fen, created_at)
                VALUES (@merchantId, '老王烧烤店', @licence, '5812', 'catering', '13812345678', @language, @trailingYearVolumeFen, @now)
                """, new { merchantId, licence = "91" + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant(), language, trailingYearVolumeFen, now = SliceFixture.Start });
            await connection.ExecuteAsync("""
                INSERT INTO devices (id, serial_number, model, status, activated_on, merchant_id, physical_damage)
                VALUES (@deviceId, @serial, 'smart', 'active', @activatedOn, @merchantId, FALSE)
                """, new { deviceId, serial, activatedOn = activatedOn ?? new DateOnly(2026, 3, 1), merchantId });
            if (contractId is not null)
                await connection.ExecuteAsync("""
                    INSERT INTO contracts (id, merchant_id, signed_on, fee_rate_bp, data_fee_clause, data_fee_amount_fen, data_fee_period_months,
                                           data_fee_free_days, data_fee_waiver_volume_fen, refund_window_days, fee_notice_clause, fee_notice_given,
                                           warranty_months, deposit_fen, deposit_paid, replacement_fee_fen, device_leased)
                    VALUES (@contractId, @merchantId, @signedOn, @feeRateBp, @dataFeeClause, 9900, 12, 0, @waiverVolumeFen, @refundWindowDays, TRUE,
                            @feeNoticeGiven, @warrantyMonths, 0, FALSE, 19900, TRUE)
                    """, new { contractId, merchantId, signedOn = new DateOnly(2025, 1, 1), feeRateBp, dataFeeClause, waiverVolumeFen, refundWindowDays,
                        feeNoticeGiven, warrantyMonths });
            return 0;
        });
        return new MerchantSetup(merchantId, deviceId, serial, contractId);
    }

    public static async Task<Guid> UserAsync(this SliceFixture fixture, string role = "agent", string? skillGroup = "billing", bool away = false)
    {
        var id = Guid.NewGuid();
        await fixture.WithConnectionAsync(connection => connection.ExecuteAsync("""
            INSERT INTO users (id, login, display_name, role, skill_group, away, created_at)
            VALUES (@id, @login, @login, @role, @skillGroup, @away, @now)
            """, new { id, login = role + "-" + id.ToString("N")[..8], role, skillGroup, away, now = SliceFixture.Start }));
        return id;
    }

    /// <summary>A registered chat channel (an <c>api_clients</c> row) and the caller that speaks through it for merchants.</summary>
    public static async Task<Caller> ChannelAsync(this SliceFixture fixture, string? webhookUrl = null)
    {
        var channel = Caller.Channel(Guid.NewGuid());
        await fixture.WithConnectionAsync(c => c.ExecuteAsync(
            """
            INSERT INTO api_clients (id, name, role, key_hash, created_at, webhook_url, webhook_secret)
            VALUES (@id, @name, 'channel', @hash, @now, @webhookUrl, CASE WHEN @webhookUrl IS NULL THEN NULL ELSE 'secret' END)
            """,
            new { id = channel.ChannelClientId, name = "wechat-" + channel.Id, hash = channel.Id, now = SliceFixture.Start, webhookUrl }));
        return channel;
    }

    /// <summary>The case's timeline is numbered 1, 2, 3... with no gap.</summary>
    public static async Task AssertTimelineContiguousAsync(this SliceFixture fixture, Guid caseId)
    {
        var sequence = await fixture.QueryAsync<long>("SELECT seq FROM case_events WHERE case_id = @caseId ORDER BY seq", new { caseId });
        Assert.NotEmpty(sequence);
        Assert.Equal(Enumerable.Range(1, sequence.Count).Select(i => (long)i), sequence);
    }

    public static Task<T> ScalarAsync<T>(this SliceFixture fixture, string sql, object? param = null) =>
        fixture.WithConnectionAsync(async connection => (await connection.ExecuteScalarAsync<T>(sql, param))!);

    public static Task<List<T>> QueryAsync<T>(this SliceFixture fixture, string sql, object? param = null) =>
        fixture.WithConnectionAsync(async connection => (await connection.QueryAsync<T>(sql, param)).ToList());
}
