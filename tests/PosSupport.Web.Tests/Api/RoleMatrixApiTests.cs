using System.Net.Http.Json;

namespace PosSupport.Web.Tests.Api;

/// <summary>
/// Every route of the case API × every kind of caller: anonymous, the channel that opened the case (A), another channel (B),
/// an agent integration, a supervisor and an admin. Each cell runs on a fresh case of channel A, in the state its route needs.
/// </summary>
[Collection(SharedApiWorld.Name)]
public sealed class RoleMatrixApiTests(ApiWorld world)
{
    public static readonly string[] Roles = ["anonymous", "channel-a", "channel-b", "agent", "supervisor", "admin"];

    private enum Stage { CollectingEvidence, EvidenceReceived, Negotiating, AwaitingApproval, OfferPending }

    private sealed record Route(string Name, string Method, Stage Stage, Func<Scenario, string, string> Path, Func<string, object?> Body, int[] Expected);

    private sealed record Scenario(Guid CaseId, Guid? EvidenceId, Guid? OfferId);

    private static object? NoBody(string role) => null;

    //                                                                                         anonymous channel-a channel-b agent supervisor admin
    private static readonly Route[] Routes =
    [
        new("open a case", "POST", Stage.CollectingEvidence, (_, _) => "/api/v1/cases", _ => null, [401, 201, 201, 201, 201, 201]),
        new("list cases", "GET", Stage.CollectingEvidence, (_, _) => "/api/v1/cases", NoBody, [401, 200, 200, 200, 200, 200]),
        new("read a case", "GET", Stage.CollectingEvidence, (s, _) => $"/api/v1/cases/{s.CaseId}", NoBody, [401, 200, 404, 200, 200, 200]),
        new("timeline", "GET", Stage.CollectingEvidence, (s, _) => $"/api/v1/cases/{s.CaseId}/timeline", NoBody, [401, 200, 404, 200, 200, 200]),
        new("message", "POST", Stage.CollectingEvidence, (s, _) => $"/api/v1/cases/{s.CaseId}/messages",
            role => role.StartsWith("channel", StringComparison.Ordinal) ? new { text = "你好", providerMessageId = Guid.NewGuid().ToString("N") } : new { text = "您好" },
            [401, 201, 404, 201, 201, 201]),
        new("escalate (staff trigger)", "POST", Stage.CollectingEvidence, (s, _) => $"/api/v1/cases/{s.CaseId}/actions/escalate", NoBody, [401, 422, 404, 200, 200, 200]),
        new("withdraw (merchant trigger)", "POST", Stage.CollectingEvidence, (s, _) => $"/api/v1/cases/{s.CaseId}/actions/withdraw", NoBody, [401, 200, 404, 200, 422, 422]),
        new("assign", "POST", Stage.CollectingEvidence, (s, _) => $"/api/v1/cases/{s.CaseId}/assign", _ => new { assigneeId = (Guid?)null }, [401, 403, 403, 200, 200, 200]),
        new("note", "POST", Stage.CollectingEvidence, (s, _) => $"/api/v1/cases/{s.CaseId}/notes", _ => new { text = "核实中" }, [401, 403, 403, 201, 201, 201]),
        new("upload evidence", "POST", Stage.CollectingEvidence, (s, _) => $"/api/v1/cases/{s.CaseId}/evidence", _ => null, [401, 201, 404, 201, 201, 201]),
        new("review evidence", "POST", Stage.EvidenceReceived, (s, _) => $"/api/v1/cases/{s.CaseId}/evidence/{s.EvidenceId}/review", _ => new { verdict = "accept" },
            [401, 403, 403, 200, 200, 200]),
        new("propose an offer", "POST", Stage.Negotiating, (s, _) => $"/api/v1/cases/{s.CaseId}/offers", _ => new { kind = "partial-refund", amountFen = 5_000 },
            [401, 403, 403, 201, 201, 201]),
        new("approve an offer", "POST", Stage.AwaitingApproval, (s, _) => $"/api/v1/cases/{s.CaseId}/offers/{s.OfferId}/approve", NoBody, [401, 403, 403, 403, 200, 200]),
        new("decline an offer", "POST", Stage.AwaitingApproval, (s, _) => $"/api/v1/cases/{s.CaseId}/offers/{s.OfferId}/decline", _ => new { reason = "超出预算" },
            [401, 403, 403, 403, 200, 200]),
        new("withdraw an offer", "POST", Stage.OfferPending, (s, _) => $"/api/v1/cases/{s.CaseId}/offers/{s.OfferId}/withdraw", NoBody,
            [401, 403, 403, 200, 200, 200]),
        new("accept an offer", "POST", Stage.OfferPending, (s, _) => $"/api/v1/cases/{s.CaseId}/offers/{s.OfferId}/accept", NoBody, [401, 200, 404, 200, 403, 403]),
        new("reject an offer", "POST", Stage.OfferPending, (s, _) => $"/api/v1/cases/{s.CaseId}/offers/{s.OfferId}/reject", _ => new { reason = "太少" },
            [401, 200, 404, 200, 403, 403]),
        new("counter an offer", "POST", Stage.OfferPending, (s, _) => $"/api/v1/cases/{s.CaseId}/offers/{s.OfferId}/counter", _ => new { counterAmountFen = 8_000 },
            [401, 200, 404, 200, 403, 403]),
    ];

    public static TheoryData<string, string> Cells()
    {
        var data = new TheoryData<string, string>();
        foreach (var route in Routes)
            foreach (var role in Roles) data.Add(route.Name, role);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Each_caller_gets_what_its_role_allows_on_each_route(string routeName, string role)
    {
        var route = Routes.Single(r => r.Name == routeName);
        var (merchant, _) = await world.MerchantAsync();
        var scenario = await ScenarioAsync(route.Stage, merchant);

        using var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Path(scenario, role));
        if (route.Method == "POST")
        {
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
            request.Content = route.Name switch
            {
                "open a case" => JsonContent.Create(OpenBody(merchant)),
                "upload evidence" => Http.Upload("business-licence", Files.Pdf("matrix-" + Guid.NewGuid()), "licence.pdf"),
                _ => route.Body(role) is { } body ? JsonContent.Create(body, body.GetType()) : null,
            };
        }
        using var response = await world.ByRole(role).SendAsync(request);

        var expected = route.Expected[Array.IndexOf(Roles, role)];
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expected, $"{route.Name} as {role}: expected {expected}, got {(int)response.StatusCode}: {text}");
        if (expected >= 400) await response.ProblemAsync(expected);
    }

    private static object OpenBody(Guid merchant) =>
        new { type = "data-fee-cancellation", merchantId = merchant, description = "流量费被扣", claimAmountFen = 19_900, claimChargedOn = "2026-06-01" };

    private async Task<Scenario> ScenarioAsync(Stage stage, Guid merchant)
    {
        var id = (await world.ChannelA.PostApiAsync("/api/v1/cases", OpenBody(merchant)).CreatedAsync()).GetProperty("id").GetGuid();
        if (stage == Stage.CollectingEvidence) return new Scenario(id, null, null);
        if (stage == Stage.EvidenceReceived)
        {
            var evidence = await world.ChannelA.PostApiAsync($"/api/v1/cases/{id}/evidence", Http.Upload("business-licence", Files.Pdf("m-" + id), "l.pdf")).CreatedAsync();
            return new Scenario(id, evidence.GetProperty("evidenceId").GetGuid(), null);
        }
        await world.AcceptAllEvidenceAsync(id);
        await world.Agent.PostApiAsync($"/api/v1/cases/{id}/actions/evidence-complete").OkAsync();
        await world.Agent.PostApiAsync($"/api/v1/cases/{id}/actions/assess").OkAsync();
        if (stage == Stage.Negotiating) return new Scenario(id, null, null);
        var amount = stage == Stage.AwaitingApproval ? 15_000 : 5_000;
        var offer = await world.Agent.PostApiAsync($"/api/v1/cases/{id}/offers", new { kind = "partial-refund", amountFen = amount }).CreatedAsync();
        return new Scenario(id, null, offer.GetProperty("offerId").GetGuid());
    }
}
