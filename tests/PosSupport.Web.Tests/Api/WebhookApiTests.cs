using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using MediatR;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using PosSupport.Core.ApiClients;
using PosSupport.Core.Pipeline;

namespace PosSupport.Web.Tests.Api;

/// <summary>Webhooks to a real local HTTP listener, delivered by Hangfire: signed, retried after a 500, dead-lettered at the limit, held by WeChat's 48-hour rule.</summary>
[Collection(OwnHosts.Name)]
public sealed class WebhookApiTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _data = TemporaryDirectory.Create();
    private ApiHost _host = null!;

    public Task InitializeAsync()
    {
        _host = ApiHost.On(_data.Path, new Dictionary<string, string>
        {
            ["PosSupport:Webhooks:FirstRetryDelaySeconds"] = "1",
            ["PosSupport:Webhooks:MaxAttempts"] = "3",
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    private sealed record Delivery(string Id, string EventType, string Status, long Attempts, string Payload);

    private async Task<(HttpClient Client, CreateApiClient.Result Created)> ClientAsync(string role, Uri? hook = null, string? kind = null)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<IMediator>()
            .Send(new CreateApiClient.Command(role + "-" + Guid.NewGuid().ToString("N")[..8], role, Caller.System("test"), hook?.ToString(), kind));
        var client = new HttpClient { BaseAddress = _host.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.Key);
        return (client, created);
    }

    private SqliteConnection Database() => new($"Data Source={CaseStore.SqliteFile(_data.Path)};Pooling=False");

    private async Task<List<Delivery>> DeliveriesAsync(Guid caseId)
    {
        await using var connection = Database();
        return (await connection.QueryAsync<Delivery>(
            "SELECT id AS Id, event_type AS EventType, status AS Status, attempts AS Attempts, payload AS Payload FROM webhook_deliveries WHERE case_id = @caseId",
            new { caseId = caseId.ToString("D") })).ToList();
    }

    private async Task<List<(long Attempt, string Outcome, long? StatusCode)>> AttemptsAsync(string deliveryId)
    {
        await using var connection = Database();
        return (await connection.QueryAsync<(long, string, long?)>(
            "SELECT attempt, outcome, status_code FROM webhook_attempts WHERE delivery_id = @deliveryId ORDER BY attempt", new { deliveryId })).ToList();
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var value = await probe();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"gave up waiting for {what}");
            await Task.Delay(250);
        }
    }

    private async Task<Guid> OpenCaseAsync(HttpClient channel)
    {
        var (merchant, _) = await MerchantAsync();
        return (await channel.PostApiAsync("/api/v1/cases", new
        {
            type = "data-fee-cancellation", merchantId = merchant, description = "流量费", conversationId = "wh-" + Guid.NewGuid().ToString("N")[..6],
            claimAmountFen = 9_900, claimChargedOn = "2026-06-01",
        }).CreatedAsync()).GetProperty("id").GetGuid();
    }

    private async Task<(Guid, string)> MerchantAsync()
    {
        var id = Guid.NewGuid();
        await using var connection = Database();
        await connection.ExecuteAsync("""
            INSERT INTO merchants (id, name, licence_number, mcc, category, phone, preferred_language, trailing_year_volume_fen, created_at)
            VALUES (@id, '测试便利店', @licence, '5499', 'supermarket', '13812345678', 'zh-CN', 0, '2026-01-01T00:00:00.0000000+00:00');
            INSERT INTO contracts (id, merchant_id, signed_on, fee_rate_bp, data_fee_clause, data_fee_amount_fen, data_fee_period_months,
                                   data_fee_free_days, data_fee_waiver_volume_fen, refund_window_days, fee_notice_clause, fee_notice_given,
                                   warranty_months, deposit_fen, deposit_paid, replacement_fee_fen, device_leased)
            VALUES (@contract, @id, '2025-01-01', 55, 1, 9900, 12, 0, NULL, 30, 1, 1, 12, 0, 0, 19900, 1);
            """, new { id = id.ToString("D"), licence = "91" + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant(), contract = Guid.NewGuid().ToString("D") });
        return (id, "");
    }

    [Fact]
    public async Task Case_events_reach_the_channels_listener_signed_with_its_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 200);
        var (channel, created) = await ClientAsync("channel", receiver.Url);

        var caseId = await OpenCaseAsync(channel);

        var deliveries = await EventuallyAsync(() => DeliveriesAsync(caseId),
            d => d.Any(x => x.EventType == "case.state_changed" && x.Status == "delivered"), "a delivered case.state_changed");
        var delivered = deliveries.First(d => d.EventType == "case.state_changed" && d.Status == "delivered");
        var request = Assert.Single(receiver.Requests, r => r.Delivery == delivered.Id);
        Assert.Equal("case.state_changed", request.Event);
        Assert.Contains(caseId.ToString("D"), request.Body, StringComparison.Ordinal);
        var parts = request.Signature!.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(created.WebhookSecret!), Encoding.UTF8.GetBytes(parts["t"] + "." + request.Body)));
        Assert.Equal(expected, parts["v1"]);
        Assert.InRange(long.Parse(parts["t"], CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal([(1L, "delivered", (long?)200)], await AttemptsAsync(delivered.Id));
        Assert.Equal(receiver.Requests.Count, receiver.Requests.Select(r => r.Delivery).Distinct().Count());
    }

    [Fact]
    public async Task A_delivery_answered_with_500_is_retried_and_then_delivered()
    {
        await using var receiver = await WebhookReceiver.StartAsync(call => call == 1 ? 500 : 200);
        var (channel, _) = await ClientAsync("channel", receiver.Url);

        var caseId = await OpenCaseAsync(channel);

        var first = await EventuallyAsync(() => Task.FromResult(receiver.Requests.FirstOrDefault(r => r.Call == 1)), r => r is not null, "the first call");
        var retried = await EventuallyAsync(async () => (await DeliveriesAsync(caseId)).Single(d => d.Id == first!.Delivery),
            d => d.Status == "delivered", "the retried delivery");
        Assert.Equal(2, retried.Attempts);
        Assert.Equal([(1L, "failed", (long?)500), (2L, "delivered", (long?)200)], await AttemptsAsync(retried.Id));
        Assert.Equal(2, receiver.Requests.Count(r => r.Delivery == retried.Id));
    }

    [Fact]
    public async Task A_delivery_that_keeps_failing_is_dead_lettered_after_the_last_attempt()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 500);
        var (channel, _) = await ClientAsync("channel", receiver.Url);

        var caseId = await OpenCaseAsync(channel);

        var dead = await EventuallyAsync(() => DeliveriesAsync(caseId), d => d.Any(x => x.Status == "dead"), "a dead-lettered delivery");
        var letter = dead.First(d => d.Status == "dead");
        Assert.Equal(3, letter.Attempts);
        Assert.Equal([(1L, "failed", (long?)500), (2L, "failed", (long?)500), (3L, "failed", (long?)500)], await AttemptsAsync(letter.Id));
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Equal(3, receiver.Requests.Count(r => r.Delivery == letter.Id));
    }

    [Fact]
    public async Task A_wechat_channel_gets_replies_within_48_hours_of_the_merchants_last_message_and_later_ones_wait_for_a_template()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 200);
        var (wechat, _) = await ClientAsync("channel", receiver.Url, "wechat");
        var (agent, _) = await ClientAsync("agent");
        var caseId = await OpenCaseAsync(wechat);

        await wechat.PostApiAsync($"/api/v1/cases/{caseId}/messages", new { text = "在吗", providerMessageId = "wx-48-1" }).CreatedAsync();
        await agent.PostApiAsync($"/api/v1/cases/{caseId}/messages", new { text = "您好，已收到" }).CreatedAsync();
        await EventuallyAsync(() => Task.FromResult(receiver.Requests.Any(r => r.Body.Contains("您好，已收到", StringComparison.Ordinal))), got => got, "the reply within 48 h");

        await using (var connection = Database())
            await connection.ExecuteAsync("UPDATE case_messages SET at = @at WHERE case_id = @caseId AND direction = 'inbound'",
                new { at = DateTimeOffset.UtcNow.AddHours(-49), caseId = caseId.ToString("D") });
        await agent.PostApiAsync($"/api/v1/cases/{caseId}/messages", new { text = "请补充材料" }).CreatedAsync();

        var held = await EventuallyAsync(async () => (await DeliveriesAsync(caseId)).FirstOrDefault(d => d.Payload.Contains("请补充材料", StringComparison.Ordinal)),
            d => d is { Status: "needs-template" }, "the late reply to be held for a template");
        Assert.Equal([(1L, "needs-template", (long?)null)], await AttemptsAsync(held!.Id));
        Assert.DoesNotContain(receiver.Requests, r => r.Body.Contains("请补充材料", StringComparison.Ordinal));
    }
}
