using Dapper;
using PosSupport.Core.Cases;
using PosSupport.Core.Negotiation;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.Slices;

/// <summary>
/// Whole cases driven only through slices, as the dashboard and the chat channels would drive them. Steps without a
/// dedicated slice go through FireTrigger. Each step happens a few minutes after the one before, as in real life.
/// </summary>
public abstract class FullCaseJourneyTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;

    private void Later() => Fixture.Clock.Advance(TimeSpan.FromMinutes(7));

    private async Task<FireTrigger.Result> StepAsync(Guid caseId, string trigger, Caller caller, params (string Name, string Value)[] inputs)
    {
        Later();
        return await Fixture.FireAsync(caseId, trigger, caller, inputs);
    }

    private async Task<T> StepAsync<T>(MediatR.IRequest<T> request)
    {
        Later();
        return await Fixture.SendAsync(request);
    }

    private Task<List<Sent>> OutboxAsync(Guid caseId) =>
        Fixture.QueryAsync<Sent>("""
            SELECT recipient AS Recipient, template AS Template, body AS Body FROM outbox_messages WHERE case_id = @caseId ORDER BY created_at, recipient
            """, new { caseId });

    private async Task<List<string>> TriggersAsync(Guid caseId) =>
        (await Fixture.QueryAsync<string>("SELECT data FROM case_events WHERE case_id = @caseId AND kind = 'transition' ORDER BY seq", new { caseId }))
        .Select(data => System.Text.Json.JsonDocument.Parse(data).RootElement.GetProperty("trigger").GetString()!).ToList();

    public sealed class DeviceRow
    {
        public string Serial { get; set; } = "";
        public string Status { get; set; } = "";
        public Guid? MerchantId { get; set; }
        public DateOnly? ActivatedOn { get; set; }
    }

    public sealed class Sent
    {
        public string Recipient { get; set; } = "";
        public string Template { get; set; } = "";
        public string Body { get; set; } = "";
    }

    [Fact]
    public async Task A_data_fee_dispute_from_intake_through_a_rejected_final_offer_to_a_supervisors_partial_refund_and_closing()
    {
        await Fixture.SendEveryoneAwayAsync();
        var agentId = await Fixture.UserAsync("agent", "billing");
        var agent = Caller.Agent(agentId);
        var supervisor = Caller.Supervisor(await Fixture.UserAsync("supervisor", "billing"));
        var merchant = await Fixture.MerchantAsync(refundWindowDays: 30);
        var channel = await Fixture.ChannelAsync();

        // The merchant complains in the app: 199 CNY deducted in June, long outside the 30-day refund window.
        var opened = await StepAsync(new OpenCase.Command("data-fee-cancellation", merchant.MerchantId, "6月被扣了199元流量费，要求退还", channel,
            ClaimAmountFen: 19_900, ClaimChargedOn: new DateOnly(2026, 6, 1), ConversationId: "wx-7781"));
        Assert.Equal(("collecting-evidence", (Guid?)agentId), (opened.State, opened.AssigneeId));
        Assert.Equal(1, await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM case_contracts WHERE case_id = @Id", opened));

        // Stands in for ReviewEvidence (another slice): the licence, transaction records and settlement statement are accepted.
        await Fixture.AcceptAllEvidenceAsync(opened.Id);
        Assert.Equal("assessing", (await StepAsync(opened.Id, "evidence-complete", agent)).State);
        Assert.Equal("negotiating", (await StepAsync(opened.Id, "assess", agent)).State);

        var proposed = await StepAsync(new ProposeOffer.Command(opened.Id, "partial-refund", 15_000, IsFinal: true, agent));
        Assert.Equal(("awaiting-approval", "awaiting-approval"), (proposed.OfferStatus, proposed.State));
        var approved = await StepAsync(new ApproveOffer.Command(opened.Id, proposed.OfferId, ApproveOffer.Decision.Approve, supervisor));
        Assert.Equal(("open", "offer-pending"), (approved.OfferStatus, approved.State));

        var rejected = await StepAsync(new RespondToOffer.Command(opened.Id, proposed.OfferId, RespondToOffer.Answer.Reject, channel, Reason: "必须全额退款"));
        Assert.Equal("escalated", rejected.State);

        var refunded = await StepAsync(opened.Id, "supervisor-partial-refund", supervisor, ("amount", "12000"));
        Assert.Equal(("resolved-refund", "partially_refunded"), (refunded.State, refunded.Outcome));
        var closed = await StepAsync(opened.Id, "close", agent);
        Assert.Equal("closed", closed.State);

        var row = await Fixture.CaseRowAsync(opened.Id);
        Assert.Equal(("closed", "partially_refunded", 1, closed.Version), (row.State, row.Outcome, row.EscalationTier, row.Version));
        Assert.NotNull(row.ResolvedAt);
        Assert.NotNull(row.ClosedAt);
        var offer = Assert.Single(await Fixture.OffersAsync(opened.Id));
        Assert.Equal(("rejected", true, supervisor.Id), (offer.Status, offer.IsFinal, offer.ApproverId));
        Assert.Equal(["contract-found", "evidence-complete", "assess", "propose-offer", "approve-offer", "reject", "supervisor-partial-refund", "close"],
            await TriggersAsync(opened.Id));
        Assert.Equal("internal", await Fixture.ScalarAsync<string>("SELECT visibility FROM case_events WHERE case_id = @Id AND kind = 'offer-proposed'", opened));
        await Fixture.AssertTimelineContiguousAsync(opened.Id);

        var outbox = await OutboxAsync(opened.Id);
        var toMerchant = outbox.Where(m => m.Recipient == "merchant").ToList();
        Assert.Equal(["case-received", "offer-made", "merchant-escalated", "refund-resolved", "case-closed"], toMerchant.Select(m => m.Template));
        Assert.All(toMerchant, m => Assert.Contains(opened.Number, m.Body, StringComparison.Ordinal));
        Assert.Contains("部分退款 150.00 元", toMerchant[1].Body, StringComparison.Ordinal);
        Assert.Contains("120.00 元将退回至您的结算账户", toMerchant[3].Body, StringComparison.Ordinal);
        Assert.Contains("老王烧烤店", toMerchant[4].Body, StringComparison.Ordinal);
        Assert.Equal(["evidence-received", "case-escalated"], outbox.Where(m => m.Recipient == "assignee").Select(m => m.Template));
        var refund = Assert.Single(outbox, m => m.Recipient == "finance");
        Assert.Equal($"Refund ¥120.00 to the merchant of case {opened.Number}.", refund.Body);
    }

    [Fact]
    public async Task A_faulty_device_out_of_warranty_from_intake_through_a_negotiated_fee_to_the_old_unit_coming_back()
    {
        await Fixture.SendEveryoneAwayAsync();
        var agentId = await Fixture.UserAsync("agent", "device");
        var agent = Caller.Agent(agentId);
        var merchant = await Fixture.MerchantAsync(activatedOn: new DateOnly(2025, 6, 1), warrantyMonths: 12);
        var channel = await Fixture.ChannelAsync();
        var replacementSerial = "SN-NEW-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        await Fixture.WithConnectionAsync(c => c.ExecuteAsync(
            "INSERT INTO devices (id, serial_number, model, status, physical_damage) VALUES (@id, @replacementSerial, 'smart', 'in-stock', FALSE)",
            new { id = Guid.NewGuid(), replacementSerial }));

        var opened = await StepAsync(new OpenCase.Command("device-replacement", merchant.MerchantId, "每次刷卡都提示交易失败", channel,
            DeviceSerial: merchant.DeviceSerial, ConversationId: "wx-9902"));
        Assert.Equal(("intake", (Guid?)agentId), (opened.State, opened.AssigneeId));

        Assert.Equal("remote-troubleshooting", (await StepAsync(opened.Id, "start-troubleshooting", agent)).State);
        Assert.Equal("collecting-evidence", (await StepAsync(opened.Id, "still-faulty", channel)).State);
        // Stands in for ReviewEvidence (another slice): the device, screen and SN-label photos are accepted.
        await Fixture.AcceptAllEvidenceAsync(opened.Id);
        Assert.Equal("checking-warranty", (await StepAsync(opened.Id, "evidence-complete", agent)).State);
        Assert.Equal("fee-quoted", (await StepAsync(opened.Id, "decide", agent)).State);
        Assert.Equal("negotiating", (await StepAsync(opened.Id, "dispute-fee", channel, ("reason", "机器才用了一年多"))).State);

        var offer = await StepAsync(new ProposeOffer.Command(opened.Id, "reduce", 5_000, IsFinal: false, agent));
        Assert.Equal(("open", "offer-pending"), (offer.OfferStatus, offer.State));
        var accepted = await StepAsync(new RespondToOffer.Command(opened.Id, offer.OfferId, RespondToOffer.Answer.Accept, channel));
        Assert.Equal(("preparing-shipment", 14_900L), (accepted.State, accepted.AgreedFeeFen));

        Assert.Equal("awaiting-delivery", (await StepAsync(opened.Id, "shipped", agent,
            ("trackingNumber", "SF1234567890"), ("replacementSerial", replacementSerial))).State);
        Assert.Equal("activating", (await StepAsync(opened.Id, "delivered", channel)).State);
        Assert.Equal("awaiting-return", (await StepAsync(opened.Id, "activated", agent)).State);
        var resolved = await StepAsync(opened.Id, "old-unit-received", agent);
        Assert.Equal(("resolved", "replaced_with_fee"), (resolved.State, resolved.Outcome));

        var row = await Fixture.CaseRowAsync(opened.Id);
        Assert.Equal((14_900L, "SF1234567890", replacementSerial), (row.AgreedFeeFen, row.TrackingNumber, row.ReplacementSerial));
        var devices = await Fixture.QueryAsync<DeviceRow>("""
            SELECT serial_number AS Serial, status AS Status, merchant_id AS MerchantId, activated_on AS ActivatedOn FROM devices
             WHERE serial_number IN (@DeviceSerial, @replacementSerial) ORDER BY status
            """, new { merchant.DeviceSerial, replacementSerial });
        var today = DateOnly.FromDateTime(Fixture.Clock.GetUtcNow().UtcDateTime);
        Assert.Equal([(replacementSerial, "active", (Guid?)merchant.MerchantId, (DateOnly?)today), (merchant.DeviceSerial, "faulty", merchant.MerchantId, new DateOnly(2025, 6, 1))],
            devices.Select(d => (d.Serial, d.Status, d.MerchantId, d.ActivatedOn)));
        Assert.Equal("accepted", Assert.Single(await Fixture.OffersAsync(opened.Id)).Status);
        Assert.Equal("已付费换机", (await Fixture.SendAsync(new GetCase.Query(opened.Id, channel))).OutcomeTitle?.ZhCn);
        await Fixture.AssertTimelineContiguousAsync(opened.Id);

        var toMerchant = (await OutboxAsync(opened.Id)).Where(m => m.Recipient == "merchant").ToList();
        Assert.Equal(["case-received", "troubleshooting-checklist", "fee-quote", "offer-made", "replacement-shipped", "return-instructions", "case-resolved"],
            toMerchant.Select(m => m.Template));
        Assert.Contains(merchant.DeviceSerial, toMerchant[0].Body, StringComparison.Ordinal);
        Assert.Contains("换机需支付199.00 元", toMerchant[2].Body, StringComparison.Ordinal);
        Assert.Contains("换机费减免 50.00 元", toMerchant[3].Body, StringComparison.Ordinal);
        Assert.Contains("快递单号SF1234567890", toMerchant[4].Body, StringComparison.Ordinal);
        Assert.Contains($"将故障机具{merchant.DeviceSerial}快递寄回", toMerchant[5].Body, StringComparison.Ordinal);
    }
}

public sealed class FullCaseJourneyOnSqlite(SqliteSliceFixture fixture) : FullCaseJourneyTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class FullCaseJourneyOnPostgres(PostgresSliceFixture fixture) : FullCaseJourneyTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
