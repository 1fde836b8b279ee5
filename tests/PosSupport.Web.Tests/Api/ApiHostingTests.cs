using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using PosSupport.Core.ApiClients;
using PosSupport.Core.Pipeline;

namespace PosSupport.Web.Tests.Api;

/// <summary>What surrounds the routes: rate limits per client, the OpenAPI document and Scalar, and the apikeys verbs.</summary>
[Collection(OwnHosts.Name)]
public sealed class ApiHostingTests
{
    [Fact]
    public async Task A_client_over_its_rate_limit_gets_429_with_retry_after_while_another_client_goes_on()
    {
        using var data = TemporaryDirectory.Create();
        await using var host = ApiHost.On(data.Path, new Dictionary<string, string>
        {
            ["PosSupport:Api:RateLimitPermits"] = "3", ["PosSupport:Api:RateLimitWindowSeconds"] = "3600",
        });
        using var busy = await ClientAsync(host, "busy");
        using var calm = await ClientAsync(host, "calm");

        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await busy.GetAsync("/api/v1/cases")).StatusCode);
        using var limited = await busy.GetAsync("/api/v1/cases");
        using var other = await calm.GetAsync("/api/v1/cases");

        await limited.ProblemAsync(429, "rate-limited");
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_describes_every_route_and_scalar_serves_its_page()
    {
        using var data = TemporaryDirectory.Create();
        await using var host = ApiHost.On(data.Path);

        var document = JsonDocument.Parse(await host.Client.GetStringAsync("/openapi/v1.json")).RootElement;
        using var scalar = await host.Client.GetAsync("/scalar/");

        var paths = document.GetProperty("paths");
        string[] expected =
        [
            "/api/v1/cases", "/api/v1/cases/{id}", "/api/v1/cases/{id}/timeline", "/api/v1/cases/{id}/messages", "/api/v1/cases/{id}/actions/{trigger}",
            "/api/v1/cases/{id}/assign", "/api/v1/cases/{id}/notes", "/api/v1/cases/{id}/evidence", "/api/v1/cases/{id}/evidence/{evidenceId}/review",
            "/api/v1/cases/{id}/offers", "/api/v1/cases/{id}/offers/{offerId}/approve", "/api/v1/cases/{id}/offers/{offerId}/decline",
            "/api/v1/cases/{id}/offers/{offerId}/accept", "/api/v1/cases/{id}/offers/{offerId}/reject", "/api/v1/cases/{id}/offers/{offerId}/counter",
            "/api/v1/cases/{id}/offers/{offerId}/withdraw",
        ];
        foreach (var path in expected) Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document");
        var open = paths.GetProperty("/api/v1/cases").GetProperty("post");
        Assert.True(open.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.True(open.GetProperty("responses").TryGetProperty("201", out _));
        Assert.True(open.GetProperty("responses").TryGetProperty("422", out _));
        Assert.True(paths.GetProperty("/api/v1/cases/{id}/evidence").GetProperty("post").GetProperty("requestBody").GetProperty("content")
            .TryGetProperty("multipart/form-data", out _));
        Assert.Equal(HttpStatusCode.OK, scalar.StatusCode);
        var page = await scalar.Content.ReadAsStringAsync();
        Assert.Contains("PosSupport API", page, StringComparison.Ordinal);
        Assert.Contains("\"url\":\"openapi/v1.json\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apikeys_create_prints_a_working_key_as_its_last_line_and_revoke_stops_it()
    {
        using var data = TemporaryDirectory.Create();
        var environment = new Dictionary<string, string> { ["PosSupport__DataDirectory"] = data.Path };

        var created = await BuiltHost.RunAsync(["apikeys", "create", "wechat", "--role", "channel", "--webhook-url", "https://hooks.example.com/ps"], environment);
        var duplicate = await BuiltHost.RunAsync(["apikeys", "create", "wechat", "--role", "agent"], environment);
        var badRole = await BuiltHost.RunAsync(["apikeys", "create", "x", "--role", "root"], environment);
        var noRole = await BuiltHost.RunAsync(["apikeys", "create", "x"], environment);

        Assert.True(created.ExitCode == 0, created.ToString());
        var key = created.Output.TrimEnd().Split('\n')[^1].Trim();
        Assert.StartsWith("psk_", key, StringComparison.Ordinal);
        Assert.Contains("whsec_", created.Output, StringComparison.Ordinal);
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("already exists", duplicate.Error, StringComparison.Ordinal);
        Assert.Equal(1, badRole.ExitCode);
        Assert.Equal(2, noRole.ExitCode);

        await using (var host = ApiHost.On(data.Path))
        {
            using var client = new HttpClient { BaseAddress = host.Address };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/cases")).StatusCode);
        }
        var revoked = await BuiltHost.RunAsync(["apikeys", "revoke", "wechat"], environment);
        var list = await BuiltHost.RunAsync(["apikeys", "list"], environment);
        Assert.True(revoked.ExitCode == 0, revoked.ToString());
        Assert.Matches(@"wechat\tchannel\trevoked ", list.Output);
        Assert.DoesNotContain(key, list.Output, StringComparison.Ordinal);
        await using (var host = ApiHost.On(data.Path))
        {
            using var client = new HttpClient { BaseAddress = host.Address };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var refused = await client.GetAsync("/api/v1/cases");
            await refused.ProblemAsync(401, "unauthorized");
        }
    }

    private static async Task<HttpClient> ClientAsync(ApiHost host, string name)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new CreateApiClient.Command(name, "agent", Caller.System("test")));
        var client = new HttpClient { BaseAddress = host.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.Key);
        return client;
    }
}
