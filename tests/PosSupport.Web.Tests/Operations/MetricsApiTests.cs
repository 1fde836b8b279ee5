using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Hangfire;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using PosSupport.Core.Cases;
using PosSupport.Core.Data;
using PosSupport.Core.Demo;
using PosSupport.Core.Pipeline;
using PosSupport.Web.FollowUps;
using PosSupport.Web.Tests.Api;

namespace PosSupport.Web.Tests.Operations;

// Alone, with a host of its own: OpenTelemetry listens to meters by name, so another host's meter named "PosSupport"
// alive in the same test process can take the place of this host's in its export (one host per process in production).
[Collection(OwnHosts.Name)]
public sealed class MetricsApiTests(ApiWorld world) : IClassFixture<ApiWorld>
{
    [Fact]
    public async Task Metrics_count_an_api_command_by_kind_and_result_with_its_latency()
    {
        var (merchant, _) = await world.MerchantAsync();
        await world.ChannelA.PostApiAsync("/api/v1/cases", new
        {
            type = "data-fee-cancellation", merchantId = merchant, description = "流量费被扣了99元", conversationId = "wx-metrics-1",
            claimAmountFen = 9_900, claimChargedOn = "2026-11-01",
        }).CreatedAsync();

        var text = await Scrape.UntilAsync(world.Anonymous,
            t => Scrape.Sum(t, "possupport_commands_total", ("kind", "OpenCase.Command"), ("result", "ok")) >= 1);

        Assert.True(Scrape.Sum(text, "possupport_commands_total", ("kind", "OpenCase.Command"), ("result", "ok")) >= 1, text);
        Assert.True(Scrape.Sum(text, "possupport_command_duration_milliseconds_count", ("kind", "OpenCase.Command"), ("result", "ok")) >= 1, text);
        // ASP.NET Core's own request metrics come along, by route template (never the path with its ids).
        Assert.Contains("http_server_request_duration_seconds_count{", text, StringComparison.Ordinal);
        Assert.Contains("http_route=\"/api/v1/cases", text, StringComparison.Ordinal);
        Assert.DoesNotContain(merchant.ToString("D"), text, StringComparison.OrdinalIgnoreCase);
    }

    // Follow-ups written more than a quarter hour ahead get their job from the every-minute sweep; the alert on "no sweep
    // succeeded" (docs/operations.md) reads this series.
    [Fact]
    public async Task Metrics_count_each_successful_follow_up_sweep_as_a_command()
    {
        var before = Scrape.Sum(await world.Anonymous.GetStringAsync("/metrics"), "possupport_commands_total",
            ("kind", "SweepFollowUps.Command"), ("result", "ok"));

        world.Host.Services.GetRequiredService<IRecurringJobManager>().Trigger(FollowUpClock.SweepJobId);

        var text = await Scrape.UntilAsync(world.Anonymous,
            t => Scrape.Sum(t, "possupport_commands_total", ("kind", "SweepFollowUps.Command"), ("result", "ok")) > before);
        Assert.True(Scrape.Sum(text, "possupport_commands_total", ("kind", "SweepFollowUps.Command"), ("result", "ok")) > before, text);
    }

    [Fact]
    public async Task Metrics_need_no_api_key_from_loopback()
    {
        using var response = await world.Anonymous.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

[Collection(OwnHosts.Name)]
public sealed class MetricsAccessTests
{
    private static readonly Dictionary<string, string> Empty = new() { ["PosSupport:SeedDemoData"] = "false" };

    [Fact]
    public async Task Metrics_are_refused_with_403_to_an_address_outside_the_allowed_networks()
    {
        using var data = TemporaryDirectory.Create();
        using var host = ApiHost.On(data.Path, new Dictionary<string, string>(Empty) { ["PosSupport:Metrics:AllowFrom"] = "10.0.0.0/8, 192.168.1.7" });

        using var refused = await host.Client.GetAsync("/metrics");
        using var health = await host.Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.DoesNotContain("possupport_", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Metrics_turned_off_are_not_served()
    {
        using var data = TemporaryDirectory.Create();
        using var host = ApiHost.On(data.Path, new Dictionary<string, string>(Empty) { ["PosSupport:Metrics:Enabled"] = "false" });

        using var response = await host.Client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task After_a_demo_run_metrics_hold_no_phone_id_licence_merchant_or_case_number()
    {
        using var data = TemporaryDirectory.Create();
        using var host = ApiHost.On(data.Path, Empty);
        // The demo's 72 cases opened and moved through the real slices, then its overdue follow-ups fired by the sweep.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await DemoData.SeedAsync(scope.ServiceProvider, CancellationToken.None);
            var (merchant, _) = await MerchantAsync(host);
            await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new OpenCase.Command("data-fee-cancellation", merchant,
                "身份证110101199003074514，电话13812345678，卡号6222021234567890123", Caller.Agent(Guid.NewGuid()), ClaimAmountFen: 9_900, ClaimChargedOn: new DateOnly(2026, 11, 1)));
        }
        host.Services.GetRequiredService<IRecurringJobManager>().Trigger(FollowUpClock.SweepJobId);

        var text = await Scrape.UntilAsync(host.Client, t => Scrape.Sum(t, "possupport_followups_fired_total") >= 1);

        Assert.True(Scrape.Sum(text, "possupport_commands_total", ("kind", "FireTrigger.Command"), ("result", "ok")) >= 1, text);
        Assert.True(Scrape.Sum(text, "possupport_workflow_transitions_total") >= 1, text);
        Assert.True(Scrape.Sum(text, "possupport_followups_fired_total") >= 1, text);
        await using var connection = await host.Services.GetRequiredService<CaseDatabase>().OpenAsync(CancellationToken.None);
        var personal = (await connection.QueryAsync<string>("SELECT phone FROM merchants UNION ALL SELECT licence_number FROM merchants "
                                                            + "UNION ALL SELECT name FROM merchants UNION ALL SELECT number FROM cases")).ToList();
        Assert.True(personal.Count > 200, $"only {personal.Count} values to look for");
        personal.AddRange(["110101199003074514", "13812345678", "6222021234567890123"]);
        Assert.DoesNotContain(personal, value => text.Contains(value, StringComparison.Ordinal));
        Assert.DoesNotMatch(new Regex(@"(?<![\d.])\d{17}[\dX](?![\d.])"), text);
        Assert.DoesNotMatch(new Regex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", RegexOptions.IgnoreCase), text);
    }

    private static async Task<(Guid Merchant, string Phone)> MerchantAsync(ApiHost host)
    {
        await using var connection = await host.Services.GetRequiredService<CaseDatabase>().OpenAsync(CancellationToken.None);
        return await connection.QueryFirstAsync<(Guid, string)>("SELECT id, phone FROM merchants ORDER BY id");
    }
}
