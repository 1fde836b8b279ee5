using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace PosSupport.Web.Tests;

[Collection(SharedApiHost.Name)]
public sealed class HealthApiTests(ApiHost host)
{
    [Fact]
    public void Api_is_served_by_kestrel_on_a_loopback_port()
    {
        Assert.Equal("http", host.Address.Scheme);
        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(host.Address.Host)), host.Address.ToString());
        Assert.NotEqual(0, host.Address.Port);
    }

    [Fact]
    public async Task Health_reports_healthy_with_the_loaded_workflow_count_and_the_database_ok()
    {
        using var response = await host.Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal(ShippedWorkflows.DefinitionCount, body.GetProperty("workflows").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("version").GetString()));
        Assert.Equal("sqlite", body.GetProperty("database").GetProperty("provider").GetString());
        Assert.Equal("ok", body.GetProperty("database").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Unknown_path_is_a_404_problem_document()
    {
        using var response = await host.Client.GetAsync("/no-such-page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
