using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace PosSupport.Web.Tests.Operations;

[Collection(FollowUpClockGroup.Name)]
public sealed class HangfireHealthTests
{
    [Fact]
    public async Task Health_reports_the_hangfire_server_alive_as_soon_as_the_host_serves()
    {
        using var data = TemporaryDirectory.Create();
        using var host = ApiHost.On(data.Path, new Dictionary<string, string> { ["PosSupport:SeedDemoData"] = "false" });

        using var response = await host.Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal("ok", body.GetProperty("hangfire").GetProperty("status").GetString());
        Assert.True(body.GetProperty("hangfire").GetProperty("servers").GetInt32() >= 1);
    }

    [Fact]
    public async Task Health_answers_503_naming_hangfire_when_no_hangfire_server_is_alive()
    {
        using var data = TemporaryDirectory.Create();
        using var host = ApiHost.On(data.Path, new Dictionary<string, string> { ["PosSupport:SeedDemoData"] = "false" });
        using (var before = await host.Client.GetAsync("/health"))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        // The node's only Hangfire server stops beating (as when its workers died) and is struck off the storage's list, as
        // Hangfire's watchdog does with a server that missed its heartbeats; the web part keeps serving.
        await host.Services.GetServices<IHostedService>().OfType<BackgroundJobServerHostedService>().Single().StopAsync(CancellationToken.None);
        var storage = host.Services.GetRequiredService<JobStorage>();
        using (var connection = storage.GetConnection())
            foreach (var server in storage.GetMonitoringApi().Servers())
                connection.RemoveServer(server.Name);
        using var response = await host.Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("unhealthy", body.GetProperty("status").GetString());
        Assert.Equal("no-server", body.GetProperty("hangfire").GetProperty("status").GetString());
        Assert.Equal(0, body.GetProperty("hangfire").GetProperty("servers").GetInt32());
        Assert.Equal("ok", body.GetProperty("database").GetProperty("status").GetString());
    }
}
