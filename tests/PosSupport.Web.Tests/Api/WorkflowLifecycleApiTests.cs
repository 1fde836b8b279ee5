using System.Net;
using System.Text.Json;

namespace PosSupport.Web.Tests.Api;

/// <summary>Each shipped workflow from intake to a closed case, driven only through the API by a channel, an agent and (where needed) a supervisor.</summary>
[Collection(SharedApiWorld.Name)]
public sealed class WorkflowLifecycleApiTests(ApiWorld world)
{
    private static async Task<JsonElement> CaseAsync(HttpClient client, Guid id, string? language = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/cases/{id}");
        if (language is not null) request.Headers.Add("Accept-Language", language);
        using var response = await client.SendAsync(request);
        var body = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"\"{body.GetProperty("version").GetInt64()}\"", response.Headers.ETag?.Tag);
        return body;
    }

    private static Task<JsonElement> FireAsync(HttpClient client, Guid id, string trigger, object? inputs = null) =>
        client.PostApiAsync($"/api/v1/cases/{id}/actions/{trigger}", inputs is null ? null : new { inputs }).OkAsync();

    private async Task UploadAndAcceptAsync(Guid id, params (string Type, byte[] File, string Name)[] files)
    {
        foreach (var (type, file, name) in files)
            await world.ChannelA.PostApiAsync($"/api/v1/cases/{id}/evidence", Http.Upload(type, file, name)).CreatedAsync();
        var received = (await CaseAsync(world.Agent, id)).GetProperty("evidence").EnumerateArray()
            .Where(e => e.GetProperty("status").GetString() == "received").Select(e => e.GetProperty("id").GetGuid()).ToList();
        Assert.Equal(files.Length, received.Count);
        foreach (var evidence in received)
            await world.Agent.PostApiAsync($"/api/v1/cases/{id}/evidence/{evidence}/review", new { verdict = "accept" }).OkAsync();
    }

    private static void AssertState(JsonElement view, string state, string? outcome = null)
    {
        Assert.Equal(state, view.GetProperty("state").GetString());
        Assert.Equal(outcome, view.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task A_data_fee_dispute_goes_from_the_merchants_complaint_through_a_supervisor_approved_offer_to_a_closed_partial_refund()
    {
        var (merchant, _) = await world.MerchantAsync(refundWindowDays: 30);
        var opened = await world.ChannelA.PostApiAsync("/api/v1/cases", new
        {
            type = "data-fee-cancellation", merchantId = merchant, description = "6月被扣了199元流量费，要求退还", conversationId = "wx-life-1",
            claimAmountFen = 19_900, claimChargedOn = "2026-06-01",
        }).CreatedAsync();
        var id = opened.GetProperty("id").GetGuid();

        var intake = await CaseAsync(world.ChannelA, id, "zh-CN");
        AssertState(intake, "collecting-evidence");
        Assert.Equal("收集证据材料", intake.GetProperty("stateTitle").GetString());
        Assert.Equal(["business-licence", "settlement-statement", "transaction-records"],
            intake.GetProperty("evidence").EnumerateArray().Select(e => e.GetProperty("type").GetString()).Order());
        Assert.Equal(JsonValueKind.Null, intake.GetProperty("followUps").ValueKind);
        Assert.Equal(JsonValueKind.Null, intake.GetProperty("sla").ValueKind);
        var clocks = (await CaseAsync(world.Agent, id)).GetProperty("sla").EnumerateArray().Select(c => c.GetProperty("clock").GetString()).ToList();
        Assert.Contains("first-response", clocks);
        Assert.Contains("resolution", clocks);

        await UploadAndAcceptAsync(id, ("business-licence", Files.Pdf("licence"), "营业执照.pdf"), ("transaction-records", Files.Pdf("records"), "records.pdf"),
            ("settlement-statement", Files.Pdf("statement"), "statement.pdf"));
        AssertState(await CaseAsync(world.Agent, id), "assessing");
        Assert.Equal("negotiating", (await FireAsync(world.Agent, id, "assess")).GetProperty("state").GetString());

        var offer = await world.Agent.PostApiAsync($"/api/v1/cases/{id}/offers", new { kind = "partial-refund", amountFen = 15_000, final = true }).CreatedAsync();
        Assert.Equal("awaiting-approval", offer.GetProperty("offerStatus").GetString());
        Assert.Empty((await CaseAsync(world.ChannelA, id)).GetProperty("offers").EnumerateArray());
        var offerId = offer.GetProperty("offerId").GetGuid();
        var approved = await world.Supervisor.PostApiAsync($"/api/v1/cases/{id}/offers/{offerId}/approve").OkAsync();
        Assert.Equal(("open", "offer-pending"), (approved.GetProperty("offerStatus").GetString(), approved.GetProperty("state").GetString()));

        var seen = await CaseAsync(world.ChannelA, id);
        var open = Assert.Single(seen.GetProperty("offers").EnumerateArray());
        Assert.Equal(15_000, open.GetProperty("amountFen").GetInt64());
        Assert.NotEqual(JsonValueKind.Null, open.GetProperty("expiresAt").ValueKind);
        var accepted = await world.ChannelA.PostApiAsync($"/api/v1/cases/{id}/offers/{offerId}/accept").OkAsync();
        Assert.Equal(("resolved-refund", "partially_refunded"), (accepted.GetProperty("state").GetString(), accepted.GetProperty("outcome").GetString()));

        var closed = await FireAsync(world.Agent, id, "close");
        AssertState(await CaseAsync(world.ChannelA, id), "closed", "partially_refunded");
        Assert.Equal("closed", closed.GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_faulty_terminal_in_warranty_is_replaced_free_shipped_activated_and_the_old_unit_returned()
    {
        var (merchant, serial) = await world.MerchantAsync(activatedOn: "2026-03-01", warrantyMonths: 12);
        var spare = await world.SpareAsync();
        var opened = await world.ChannelA.PostApiAsync("/api/v1/cases", new
        {
            type = "device-replacement", merchantId = merchant, deviceSerial = serial, description = "刷卡一直提示交易失败", conversationId = "wx-life-2",
        }).CreatedAsync();
        var id = opened.GetProperty("id").GetGuid();

        await FireAsync(world.Agent, id, "start-troubleshooting");
        await FireAsync(world.ChannelA, id, "still-faulty");
        await UploadAndAcceptAsync(id, ("device-photo", Files.Jpeg("device"), "device.jpg"), ("screen-photo", Files.Png("screen"), "screen.png"),
            ("sn-label-photo", Files.Jpeg("label"), "label.jpg"));
        AssertState(await CaseAsync(world.Agent, id), "checking-warranty");
        Assert.Equal("preparing-shipment", (await FireAsync(world.Agent, id, "decide")).GetProperty("state").GetString());
        await FireAsync(world.Agent, id, "shipped", new { trackingNumber = "SF1234567890", replacementSerial = spare });
        await FireAsync(world.ChannelA, id, "delivered");
        await FireAsync(world.Agent, id, "activated");
        var returned = await FireAsync(world.Agent, id, "old-unit-received");
        Assert.Equal(("resolved", "replaced_free"), (returned.GetProperty("state").GetString(), returned.GetProperty("outcome").GetString()));
        await FireAsync(world.Agent, id, "close");

        AssertState(await CaseAsync(world.ChannelA, id), "closed", "replaced_free");
        Assert.Equal(merchant.ToString("D"), await world.ScalarAsync<string>("SELECT merchant_id FROM devices WHERE serial_number = @spare", new { spare }));
    }

    [Fact]
    public async Task A_fee_rate_dispute_is_assessed_as_overcharged_and_ends_with_the_difference_refunded()
    {
        var (merchant, _) = await world.MerchantAsync(feeRateBp: 38);
        var opened = await world.ChannelA.PostApiAsync("/api/v1/cases", new
        {
            type = "fee-rate-dispute", merchantId = merchant, description = "合同写的0.38%，实际按0.60%扣", claimAmountFen = 6_600, claimChargedRateBp = 60,
        }).CreatedAsync();
        var id = opened.GetProperty("id").GetGuid();

        AssertState(await CaseAsync(world.ChannelA, id), "collecting-evidence");
        await UploadAndAcceptAsync(id, ("transaction-records", Files.Pdf("fr-records"), "records.pdf"), ("settlement-statement", Files.Pdf("fr-statement"), "s.pdf"));
        Assert.Equal("negotiating", (await FireAsync(world.Agent, id, "assess")).GetProperty("state").GetString());
        var offer = await world.Agent.PostApiAsync($"/api/v1/cases/{id}/offers", new { kind = "refund-difference", amountFen = 6_600 }).CreatedAsync();
        Assert.Equal("open", offer.GetProperty("offerStatus").GetString());
        var accepted = await world.ChannelA.PostApiAsync($"/api/v1/cases/{id}/offers/{offer.GetProperty("offerId").GetGuid()}/accept").OkAsync();
        Assert.Equal("resolved-refund", accepted.GetProperty("state").GetString());
        await FireAsync(world.Agent, id, "close");

        var closed = await CaseAsync(world.ChannelA, id, "en");
        AssertState(closed, "closed", "refunded");
        Assert.Equal("Closed", closed.GetProperty("stateTitle").GetString());
    }

    [Fact]
    public async Task A_channels_message_reopens_its_resolved_case_and_on_a_closed_one_it_is_told_to_open_a_new_case_that_continues_it()
    {
        var (merchant, _) = await world.MerchantAsync(dataFeeClause: false);
        var opened = await world.ChannelA.PostApiAsync("/api/v1/cases", new
        {
            type = "data-fee-cancellation", merchantId = merchant, description = "流量费", conversationId = "wx-reopen", claimAmountFen = 9_900, claimChargedOn = "2026-11-01",
        }).CreatedAsync();
        var id = opened.GetProperty("id").GetGuid();
        await UploadAndAcceptAsync(id, ("business-licence", Files.Pdf("r-l"), "l.pdf"), ("transaction-records", Files.Pdf("r-t"), "t.pdf"),
            ("settlement-statement", Files.Pdf("r-s"), "s.pdf"));
        Assert.Equal("resolved-refund", (await FireAsync(world.Agent, id, "assess")).GetProperty("state").GetString());

        var reopening = await world.ChannelA.PostApiAsync($"/api/v1/cases/{id}/messages", new { text = "还没收到退款", providerMessageId = "wx-m-1" }).CreatedAsync();
        Assert.True(reopening.GetProperty("reopened").GetBoolean());
        AssertState(await CaseAsync(world.ChannelA, id), "negotiating");
        var duplicate = await world.ChannelA.PostApiAsync($"/api/v1/cases/{id}/messages", new { text = "还没收到退款", providerMessageId = "wx-m-1" }).OkAsync();
        Assert.Equal(reopening.GetProperty("messageId").GetGuid(), duplicate.GetProperty("messageId").GetGuid());

        await FireAsync(world.ChannelA, id, "withdraw");
        using var refused = await world.ChannelA.PostApiAsync($"/api/v1/cases/{id}/messages", new { text = "你好", providerMessageId = "wx-m-2" });
        var problem = await refused.ProblemAsync(409, "case-closed");
        Assert.Contains("conversationId", problem.GetProperty("detail").GetString());
        var continued = await world.ChannelA.PostApiAsync("/api/v1/cases", new
        {
            type = "data-fee-cancellation", merchantId = merchant, description = "又来了", conversationId = "wx-reopen", claimAmountFen = 9_900, claimChargedOn = "2026-11-01",
        }).CreatedAsync();
        Assert.Equal(id, continued.GetProperty("previousCaseId").GetGuid());
        Assert.Equal(id, (await CaseAsync(world.ChannelA, continued.GetProperty("id").GetGuid())).GetProperty("previousCaseId").GetGuid());
    }

    [Fact]
    public async Task A_channel_lists_and_reads_only_its_own_cases_with_merchant_visible_events_and_masked_numbers()
    {
        var (merchant, _) = await world.MerchantAsync();
        var opened = await world.ChannelA.PostApiAsync("/api/v1/cases", new
        {
            type = "data-fee-cancellation", merchantId = merchant, description = "身份证110101199003074514，卡号6222020200112233445", conversationId = "wx-list",
            claimAmountFen = 9_900, claimChargedOn = "2026-11-01",
        }).CreatedAsync();
        var id = opened.GetProperty("id").GetGuid();
        await world.Agent.PostApiAsync($"/api/v1/cases/{id}/notes", new { text = "内部备注" }).CreatedAsync();

        var mine = await world.ChannelA.GetAsync($"/api/v1/cases?merchantId={merchant}&conversationId=wx-list").OkAsync();
        var theirs = await world.ChannelB.GetAsync($"/api/v1/cases?merchantId={merchant}").OkAsync();
        var timeline = await world.ChannelA.GetAsync($"/api/v1/cases/{id}/timeline").OkAsync();
        var staffTimeline = await world.Agent.GetAsync($"/api/v1/cases/{id}/timeline").OkAsync();
        var view = await CaseAsync(world.ChannelA, id);

        Assert.Equal(id, Assert.Single(mine.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
        Assert.Empty(theirs.GetProperty("items").EnumerateArray());
        Assert.DoesNotContain(timeline.GetProperty("events").EnumerateArray(), e => e.GetProperty("kind").GetString() == "note");
        Assert.Contains(staffTimeline.GetProperty("events").EnumerateArray(), e => e.GetProperty("kind").GetString() == "note");
        var text = view.GetRawText() + timeline.GetRawText() + staffTimeline.GetRawText();
        Assert.DoesNotContain("110101199003074514", text, StringComparison.Ordinal);
        Assert.DoesNotContain("6222020200112233445", text, StringComparison.Ordinal);
        Assert.Contains("110***********4514", view.GetProperty("description").GetString(), StringComparison.Ordinal);
    }
}
