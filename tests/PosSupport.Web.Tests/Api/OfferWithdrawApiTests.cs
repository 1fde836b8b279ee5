using System.Net;
using System.Text.Json;

namespace PosSupport.Web.Tests.Api;

/// <summary><c>POST /cases/{id}/offers/{offerId}/withdraw</c> over HTTP: staff take back the offer on the table.</summary>
[Collection(SharedApiWorld.Name)]
public sealed class OfferWithdrawApiTests(ApiWorld world)
{
    // A data-fee case of channel A in negotiation, with an offer of amountFen on the table (above ¥100 it awaits approval).
    private async Task<(Guid CaseId, Guid OfferId)> OfferAsync(long amountFen = 5_000)
    {
        var (merchant, _) = await world.MerchantAsync();
        var id = (await world.ChannelA.PostApiAsync("/api/v1/cases", new
        {
            type = "data-fee-cancellation", merchantId = merchant, description = "流量费被扣", claimAmountFen = 19_900, claimChargedOn = "2026-06-01",
        }).CreatedAsync()).GetProperty("id").GetGuid();
        await world.AcceptAllEvidenceAsync(id);
        await world.Agent.PostApiAsync($"/api/v1/cases/{id}/actions/evidence-complete").OkAsync();
        await world.Agent.PostApiAsync($"/api/v1/cases/{id}/actions/assess").OkAsync();
        var offer = await world.Agent.PostApiAsync($"/api/v1/cases/{id}/offers", new { kind = "partial-refund", amountFen }).CreatedAsync();
        return (id, offer.GetProperty("offerId").GetGuid());
    }

    private static async Task<JsonElement> CaseAsync(HttpClient client, Guid id)
    {
        using var response = await client.GetAsync($"/api/v1/cases/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    [Fact]
    public async Task An_agent_withdraws_the_offer_the_merchant_sees_and_a_replay_of_the_same_key_answers_the_same()
    {
        var (id, offerId) = await OfferAsync();
        Assert.Single((await CaseAsync(world.ChannelA, id)).GetProperty("offers").EnumerateArray());
        var key = "withdraw-" + offerId.ToString("N");

        var withdrawn = await world.Agent.PostApiAsync($"/api/v1/cases/{id}/offers/{offerId}/withdraw", key: key).OkAsync();
        using var replay = await world.Agent.PostApiAsync($"/api/v1/cases/{id}/offers/{offerId}/withdraw", key: key);

        Assert.Equal(("withdrawn", "negotiating"), (withdrawn.GetProperty("offerStatus").GetString(), withdrawn.GetProperty("state").GetString()));
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(withdrawn.GetRawText(), (await replay.ReadJsonAsync()).GetRawText());
        var merchantView = await CaseAsync(world.ChannelA, id);
        Assert.Equal("negotiating", merchantView.GetProperty("state").GetString());
        Assert.Equal("withdrawn", Assert.Single(merchantView.GetProperty("offers").EnumerateArray()).GetProperty("status").GetString());
        var timeline = await world.ChannelA.GetAsync($"/api/v1/cases/{id}/timeline?limit=200");
        var events = (await timeline.ReadJsonAsync()).GetProperty("events").EnumerateArray().ToList();
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "message-queued"
                                     && e.GetProperty("data").GetProperty("template").GetString() == "offer-withdrawn");
    }

    [Fact]
    public async Task A_supervisor_withdraws_an_offer_still_awaiting_approval()
    {
        var (id, offerId) = await OfferAsync(amountFen: 15_000);

        var withdrawn = await world.Supervisor.PostApiAsync($"/api/v1/cases/{id}/offers/{offerId}/withdraw").OkAsync();

        Assert.Equal(("withdrawn", "negotiating"), (withdrawn.GetProperty("offerStatus").GetString(), withdrawn.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task A_channel_is_forbidden_to_withdraw_even_its_own_cases_offer()
    {
        var (id, offerId) = await OfferAsync();

        using var refused = await world.ChannelA.PostApiAsync($"/api/v1/cases/{id}/offers/{offerId}/withdraw");

        await refused.ProblemAsync(403, "forbidden");
        Assert.Equal("offer-pending", (await CaseAsync(world.Agent, id)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Withdrawing_twice_is_a_conflict_a_stale_if_match_fails_the_precondition_and_an_unknown_offer_is_not_found()
    {
        var (id, offerId) = await OfferAsync();
        var version = (await CaseAsync(world.Agent, id)).GetProperty("version").GetInt64();

        using var stale = await world.Agent.PostApiAsync($"/api/v1/cases/{id}/offers/{offerId}/withdraw", ifMatch: $"\"{version - 1}\"");
        using var unknown = await world.Agent.PostApiAsync($"/api/v1/cases/{id}/offers/{Guid.NewGuid()}/withdraw");
        await world.Agent.PostApiAsync($"/api/v1/cases/{id}/offers/{offerId}/withdraw", ifMatch: $"\"{version}\"").OkAsync();
        using var again = await world.Agent.PostApiAsync($"/api/v1/cases/{id}/offers/{offerId}/withdraw");

        await stale.ProblemAsync(412, "precondition-failed");
        await unknown.ProblemAsync(404, "not-found");
        var conflict = await again.ProblemAsync(409, "conflict");
        Assert.Contains("withdrawn", conflict.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
