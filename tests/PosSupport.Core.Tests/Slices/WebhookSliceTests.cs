using Dapper;
using PosSupport.Core.Channels;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;
using PosSupport.Core.Webhooks;

namespace PosSupport.Core.Tests.Slices;

public abstract class WebhookSliceTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;

    private async Task<(Guid CaseId, Caller Channel)> CaseWithHookAsync()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();
        await Fixture.WithConnectionAsync(c => c.ExecuteAsync("UPDATE api_clients SET webhook_url = 'https://hooks.example.com/x', webhook_secret = 's' WHERE id = @id",
            new { id = channel.ChannelClientId }));
        return (opened.Id, channel);
    }

    [Fact]
    public async Task Each_merchant_visible_event_becomes_its_deliveries_once()
    {
        var (caseId, _) = await CaseWithHookAsync();

        var first = await Fixture.SendAsync(new QueueWebhooks.Command(caseId));
        var again = await Fixture.SendAsync(new QueueWebhooks.Command(caseId));
        await Fixture.SendAsync(new AddMessage.Command(caseId, "您好，身份证110101199003074514已核对", Caller.Agent(Guid.NewGuid())));
        var reply = await Fixture.SendAsync(new QueueWebhooks.Command(caseId));

        Assert.NotEmpty(first.DeliveryIds);
        Assert.Empty(again.DeliveryIds);
        var all = await Fixture.QueryAsync<(Guid Id, string Type)>("SELECT id, event_type FROM webhook_deliveries WHERE case_id = @caseId", new { caseId });
        Assert.Equal(["message.created"], all.Where(d => reply.DeliveryIds.Contains(d.Id)).Select(d => d.Type));
        Assert.Contains("case.state_changed", await Fixture.QueryAsync<string>("SELECT event_type FROM webhook_deliveries WHERE case_id = @caseId", new { caseId }));
        var payloads = await Fixture.QueryAsync<string>("SELECT payload FROM webhook_deliveries WHERE case_id = @caseId", new { caseId });
        Assert.True(payloads.Any(p => p.Contains("110***********4514", StringComparison.Ordinal)), string.Join("\n", payloads));
        Assert.DoesNotContain(payloads, p => p.Contains("110101199003074514", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Failed_attempts_back_off_exponentially_then_dead_letter_and_a_finished_delivery_ignores_late_attempts()
    {
        var (caseId, _) = await CaseWithHookAsync();
        var id = (await Fixture.SendAsync(new QueueWebhooks.Command(caseId))).DeliveryIds[0];
        var delay = TimeSpan.FromSeconds(30);

        var one = await Fixture.SendAsync(new RecordWebhookAttempt.Command(id, RecordWebhookAttempt.Outcome.Failed, 500, null, 3, delay));
        var two = await Fixture.SendAsync(new RecordWebhookAttempt.Command(id, RecordWebhookAttempt.Outcome.Failed, null, "connection refused", 3, delay));
        var three = await Fixture.SendAsync(new RecordWebhookAttempt.Command(id, RecordWebhookAttempt.Outcome.Failed, 503, null, 3, delay));
        var late = await Fixture.SendAsync(new RecordWebhookAttempt.Command(id, RecordWebhookAttempt.Outcome.Delivered, 200, null, 3, delay));

        Assert.Equal(("pending", Fixture.Clock.GetUtcNow() + delay), (one.Status, one.RetryAt));
        Assert.Equal(("pending", Fixture.Clock.GetUtcNow() + delay * 2), (two.Status, two.RetryAt));
        Assert.Equal(("dead", (DateTimeOffset?)null), (three.Status, three.RetryAt));
        Assert.False(late.Recorded);
        Assert.Equal(3L, await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM webhook_attempts WHERE delivery_id = @id", new { id }));
        Assert.Equal("dead", (await Fixture.SendAsync(new GetWebhookDelivery.Query(id)))!.Status);
    }
}

public sealed class WebhookSliceOnSqlite(SqliteSliceFixture fixture) : WebhookSliceTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class WebhookSliceOnPostgres(PostgresSliceFixture fixture) : WebhookSliceTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
