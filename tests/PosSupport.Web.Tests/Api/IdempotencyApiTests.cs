using System.Net;
using System.Text.Json;

namespace PosSupport.Web.Tests.Api;

[Collection(SharedApiWorld.Name)]
public sealed class IdempotencyApiTests(ApiWorld world)
{
    private async Task<object> OpenCaseBodyAsync(string conversation)
    {
        var (merchant, _) = await world.MerchantAsync();
        return new { type = "data-fee-cancellation", merchantId = merchant, description = "流量费", conversationId = conversation, claimAmountFen = 9_900, claimChargedOn = "2026-11-01" };
    }

    private Task<long> CasesOnAsync(string conversation) =>
        world.ScalarAsync<long>("SELECT COUNT(*) FROM cases WHERE conversation_id = @conversation", new { conversation });

    [Fact]
    public async Task Replaying_a_key_with_the_same_body_returns_the_stored_response_and_opens_one_case()
    {
        var conversation = "idem-" + Guid.NewGuid().ToString("N");
        var body = await OpenCaseBodyAsync(conversation);

        using var first = await world.ChannelA.PostApiAsync("/api/v1/cases", body, key: conversation);
        using var second = await world.ChannelA.PostApiAsync("/api/v1/cases", body, key: conversation);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.True(second.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, await CasesOnAsync(conversation));
    }

    [Fact]
    public async Task Twenty_concurrent_requests_with_one_key_have_one_effect()
    {
        var conversation = "idem-" + Guid.NewGuid().ToString("N");
        var body = await OpenCaseBodyAsync(conversation);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            using var response = await world.ChannelA.PostApiAsync("/api/v1/cases", body, key: conversation);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }));

        Assert.Equal(1, await CasesOnAsync(conversation));
        Assert.All(responses, r => Assert.True(r.Item1 is 201 or 409, $"{r.Item1}: {r.Item2}"));
        var created = responses.Where(r => r.Item1 == 201).Select(r => r.Item2).Distinct().ToList();
        Assert.Single(created);
        Assert.All(responses.Where(r => r.Item1 == 409), r => Assert.Contains("idempotency-key-in-flight", r.Item2, StringComparison.Ordinal));
        using var after = await world.ChannelA.PostApiAsync("/api/v1/cases", body, key: conversation);
        Assert.Equal(created[0], await after.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_refused_with_422_and_changes_nothing()
    {
        var conversation = "idem-" + Guid.NewGuid().ToString("N");
        var body = await OpenCaseBodyAsync(conversation);
        await world.ChannelA.PostApiAsync("/api/v1/cases", body, key: conversation).CreatedAsync();

        using var changed = await world.ChannelA.PostApiAsync("/api/v1/cases", await OpenCaseBodyAsync(conversation), key: conversation);
        using var otherRoute = await world.ChannelA.PostApiAsync($"/api/v1/cases/{Guid.NewGuid()}/messages", new { text = "x", providerMessageId = "y" }, key: conversation);

        await changed.ProblemAsync(422, "idempotency-key-reused");
        await otherRoute.ProblemAsync(422, "idempotency-key-reused");
        Assert.Equal(1, await CasesOnAsync(conversation));
    }

    [Fact]
    public async Task An_error_is_stored_and_replayed_too_and_keys_are_per_client()
    {
        var key = "idem-" + Guid.NewGuid().ToString("N");
        var body = new { type = "no-such-workflow" };

        using var first = await world.ChannelA.PostApiAsync("/api/v1/cases", body, key: key);
        using var replay = await world.ChannelA.PostApiAsync("/api/v1/cases", body, key: key);
        using var otherClient = await world.ChannelB.PostApiAsync("/api/v1/cases", body, key: key);

        var problem = await first.ProblemAsync(400, "validation");
        await replay.ProblemAsync(400, "validation");
        Assert.Equal(problem.GetRawText(), (await replay.ReadJsonAsync()).GetRawText());
        Assert.True(replay.Headers.Contains("Idempotent-Replayed"));
        await otherClient.ProblemAsync(400, "validation");
        Assert.False(otherClient.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task A_post_without_an_idempotency_key_is_refused_and_gets_do_not()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/cases") { Content = JsonContentOf(await OpenCaseBodyAsync("no-key")) };

        using var response = await world.ChannelA.SendAsync(request);
        using var get = await world.ChannelA.GetAsync("/api/v1/cases");

        await response.ProblemAsync(400, "idempotency-key-missing");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(0, await CasesOnAsync("no-key"));
    }

    private static System.Net.Http.Json.JsonContent JsonContentOf(object body) => System.Net.Http.Json.JsonContent.Create(body);
}
