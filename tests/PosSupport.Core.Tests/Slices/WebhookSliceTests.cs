using Dapper;
using Microsoft.Extensions.DependencyInjection;
using PosSupport.Core.ApiClients;
using PosSupport.Core.Channels;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;
using PosSupport.Core.Webhooks;

namespace PosSupport.Core.Tests.Slices;

public abstract class WebhookSliceTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;

    // The channel that opens the case has a webhook URL from the start, as a real one would.
    private async Task<(Guid CaseId, Caller Channel)> CaseWithHookAsync()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync(webhookUrl: "https://hooks.example.com/x");
        return (opened.Id, channel);
    }

    private async Task<List<(Guid Id, string Type)>> DeliveriesAsync(Guid caseId) =>
        await Fixture.QueryAsync<(Guid Id, string Type)>("SELECT id, event_type FROM webhook_deliveries WHERE case_id = @caseId ORDER BY id", new { caseId });

    [Fact]
    public async Task A_change_commits_with_its_webhook_deliveries_and_each_event_becomes_its_deliveries_once()
    {
        var (caseId, _) = await CaseWithHookAsync();
        var opened = await DeliveriesAsync(caseId);

        var again = await Fixture.SendAsync(new QueueWebhooks.Command(caseId));
        await Fixture.SendAsync(new AddMessage.Command(caseId, "您好，身份证110101199003074514已核对", Caller.Agent(Guid.NewGuid())));
        var afterReply = await DeliveriesAsync(caseId);

        Assert.Contains(opened, d => d.Type == "case.state_changed");
        Assert.Empty(again.DeliveryIds);
        Assert.Equal(["message.created"], afterReply.Except(opened).Select(d => d.Type));
        var payloads = await Fixture.QueryAsync<string>("SELECT payload FROM webhook_deliveries WHERE case_id = @caseId", new { caseId });
        Assert.True(payloads.Any(p => p.Contains("110***********4514", StringComparison.Ordinal)), string.Join("\n", payloads));
        Assert.DoesNotContain(payloads, p => p.Contains("110101199003074514", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cases_of_a_client_without_a_url_or_revoked_get_no_deliveries_while_a_client_with_one_hears_every_change()
    {
        var (quiet, quietChannel) = await Fixture.OpenDataFeeCaseAsync();
        var (loud, loudChannel) = await CaseWithHookAsync();
        var agent = Caller.Agent(Guid.NewGuid());
        var silent = Fixture.Services.GetRequiredService<SilentClients>();
        var atOpen = await DeliveriesAsync(loud);

        for (var i = 0; i < 2; i++)
        {
            await Fixture.SendAsync(new AddMessage.Command(quiet.Id, "请稍候", agent));
            await Fixture.SendAsync(new AddMessage.Command(loud, "请稍候", agent));
        }
        var heard = await DeliveriesAsync(loud);
        var silentWhileItHadAUrl = silent.Contains(loudChannel.ChannelClientId!.Value);
        await Fixture.SendAsync(new RevokeApiClient.Command("wechat-" + loudChannel.Id, Caller.Admin(Guid.NewGuid())));
        for (var i = 0; i < 2; i++) await Fixture.SendAsync(new AddMessage.Command(loud, "渠道已停用", agent));

        Assert.Empty(await DeliveriesAsync(quiet.Id));
        Assert.Equal(["message.created", "message.created"], heard.Except(atOpen).Select(d => d.Type));
        Assert.Equal(heard, await DeliveriesAsync(loud));
        Assert.False(silentWhileItHadAUrl);
        // Each client's absence of a URL was read once and remembered; the revoked one from its first change after revocation.
        Assert.True(silent.Contains(quietChannel.ChannelClientId!.Value));
        Assert.True(silent.Contains(loudChannel.ChannelClientId!.Value));
    }

    [Fact]
    public async Task Failed_attempts_back_off_exponentially_then_dead_letter_and_a_finished_delivery_ignores_late_attempts()
    {
        var (caseId, _) = await CaseWithHookAsync();
        var id = (await DeliveriesAsync(caseId))[0].Id;
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

    private async Task<Guid> DeadLetterAsync(Guid caseId)
    {
        var id = (await DeliveriesAsync(caseId))[0].Id;
        await Fixture.SendAsync(new RecordWebhookAttempt.Command(id, RecordWebhookAttempt.Outcome.Failed, 502, null, 2, TimeSpan.FromSeconds(30)));
        await Fixture.SendAsync(new RecordWebhookAttempt.Command(id, RecordWebhookAttempt.Outcome.Failed, null, "connection refused", 2, TimeSpan.FromSeconds(30)));
        return id;
    }

    [Fact]
    public async Task An_admin_retries_a_dead_letter_which_gets_one_more_attempt_with_its_log_kept()
    {
        var (caseId, _) = await CaseWithHookAsync();
        var id = await DeadLetterAsync(caseId);
        var admin = Caller.Admin(Guid.NewGuid());
        var dead = await Fixture.SendAsync(new ListWebhookDeliveries.Query(admin, "dead-letter"));
        Assert.Contains(dead.Deliveries, d => d.Id == id && d.Attempts == 2);

        var retried = await Fixture.SendAsync(new RetryWebhookDelivery.Command(id, admin));

        Assert.Equal("pending", retried.Status);
        var failed = await Fixture.SendAsync(new ListWebhookDeliveries.Query(admin, "failed"));
        Assert.Contains(failed.Deliveries, d => d.Id == id);
        Assert.DoesNotContain((await Fixture.SendAsync(new ListWebhookDeliveries.Query(admin, "dead-letter"))).Deliveries, d => d.Id == id);
        Assert.Equal("pending", (await Fixture.SendAsync(new GetWebhookDelivery.Query(id)))!.Status);
        var delivered = await Fixture.SendAsync(new RecordWebhookAttempt.Command(id, RecordWebhookAttempt.Outcome.Delivered, 200, null, 2, TimeSpan.FromSeconds(30)));
        Assert.Equal(("delivered", 3), (delivered.Status, delivered.Attempts));
        var log = await Fixture.SendAsync(new GetWebhookAttempts.Query(id, admin));
        Assert.Equal([(1, "failed", (int?)502), (2, "failed", null), (3, "delivered", 200)], log.Select(a => (a.Number, a.Outcome, a.StatusCode)));
        Assert.Equal("connection refused", log[1].Error);
        Assert.Contains((await Fixture.SendAsync(new ListWebhookDeliveries.Query(admin, "delivered"))).Deliveries, d => d.Id == id);
    }

    [Fact]
    public async Task Only_dead_letters_are_retried_only_by_admins_and_the_counts_add_up()
    {
        var (caseId, _) = await CaseWithHookAsync();
        var dead = await DeadLetterAsync(caseId);
        var admin = Caller.Admin(Guid.NewGuid());
        var before = await DeliveriesAsync(caseId);
        await Fixture.SendAsync(new AddMessage.Command(caseId, "还在处理", Caller.Agent(Guid.NewGuid())));
        var pending = (await DeliveriesAsync(caseId)).Except(before).Single().Id;

        await Assert.ThrowsAsync<ConflictException>(() => Fixture.SendAsync(new RetryWebhookDelivery.Command(pending, admin)));
        foreach (var staff in new[] { Caller.Agent(Guid.NewGuid()), Caller.Supervisor(Guid.NewGuid()) })
        {
            await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new RetryWebhookDelivery.Command(dead, staff)));
            await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new ListWebhookDeliveries.Query(staff)));
            await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new GetWebhookAttempts.Query(dead, staff)));
        }
        await Assert.ThrowsAsync<NotFoundException>(() => Fixture.SendAsync(new RetryWebhookDelivery.Command(Guid.NewGuid(), admin)));
        await Assert.ThrowsAsync<ValidationFailedException>(() => Fixture.SendAsync(new ListWebhookDeliveries.Query(admin, "lost")));

        var all = await Fixture.SendAsync(new ListWebhookDeliveries.Query(admin));
        Assert.Equal("dead", (await Fixture.SendAsync(new GetWebhookDelivery.Query(dead)))!.Status);
        Assert.Contains(all.Deliveries, d => d.Id == pending && d.Filter == "pending");
        Assert.Contains(all.Deliveries, d => d.Id == dead && d.Filter == "dead-letter");
        var total = await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM webhook_deliveries");
        Assert.Equal(total, all.Counts.Values.Sum());
        Assert.Equal(ListWebhookDeliveries.Filters.Order(StringComparer.Ordinal), all.Counts.Keys.Order(StringComparer.Ordinal));
        Assert.True(all.Counts["pending"] >= 1 && all.Counts["dead-letter"] >= 1);
    }
}

public sealed class WebhookSliceOnSqlite(SqliteSliceFixture fixture) : WebhookSliceTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class WebhookSliceOnPostgres(PostgresSliceFixture fixture) : WebhookSliceTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
