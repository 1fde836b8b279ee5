using Dapper;
using PosSupport.Core.Cases;
using PosSupport.Core.Channels;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.Slices;

public abstract class ConversationTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;
    private static readonly Caller Agent = Caller.Agent(Guid.NewGuid());

    private Task<long> MessageCountAsync(Guid caseId) => Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM case_messages WHERE case_id = @caseId", new { caseId });

    [Fact]
    public async Task An_agents_note_is_on_the_timeline_for_staff_only()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync();

        var noted = await Fixture.SendAsync(new AddNote.Command(opened.Id, "商户称未收到扣费短信，需核实通知记录", Agent, opened.Version));

        Assert.Equal(opened.Version + 1, noted.Version);
        var (visibility, actorId, data) = await Fixture.WithConnectionAsync(c => c.QuerySingleAsync<(string, string, string)>(
            "SELECT visibility, actor_id, data FROM case_events WHERE case_id = @Id AND kind = 'note'", opened));
        Assert.Equal(("internal", Agent.Id), (visibility, actorId));
        Assert.Equal("商户称未收到扣费短信，需核实通知记录", System.Text.Json.JsonDocument.Parse(data).RootElement.GetProperty("text").GetString());
        await Fixture.AssertTimelineContiguousAsync(opened.Id);
    }

    [Fact]
    public async Task Only_agents_and_supervisors_write_notes()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();

        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new AddNote.Command(opened.Id, "let me in", channel)));
        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new AddNote.Command(opened.Id, "reminder sent", Caller.System("follow-ups"))));
        await Fixture.SendAsync(new AddNote.Command(opened.Id, "checked with finance", Caller.Supervisor(Guid.NewGuid())));
        Assert.Equal(1, await Fixture.EventCountAsync(opened.Id, "note"));
    }

    [Fact]
    public async Task A_note_must_have_text_of_at_most_4000_characters()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync();

        var empty = await Assert.ThrowsAsync<ValidationFailedException>(() => Fixture.SendAsync(new AddNote.Command(opened.Id, "  ", Agent)));
        var tooLong = await Assert.ThrowsAsync<ValidationFailedException>(() => Fixture.SendAsync(new AddNote.Command(opened.Id, new string('x', 4001), Agent)));

        Assert.Equal(["Text"], empty.Errors.Keys);
        Assert.Equal(["Text"], tooLong.Errors.Keys);
        Assert.Equal(0, await Fixture.EventCountAsync(opened.Id, "note"));
    }

    [Fact]
    public async Task A_note_on_a_stale_version_conflicts_and_one_on_an_unknown_case_is_not_found()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync();
        await Fixture.SendAsync(new AddNote.Command(opened.Id, "first", Agent));

        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            Fixture.SendAsync(new AddNote.Command(opened.Id, "second", Agent, opened.Version)));
        await Assert.ThrowsAsync<NotFoundException>(() => Fixture.SendAsync(new AddNote.Command(Guid.NewGuid(), "lost", Agent)));

        Assert.Equal(opened.Version + 1, conflict.CurrentVersion);
        Assert.Equal(1, await Fixture.EventCountAsync(opened.Id, "note"));
    }

    [Fact]
    public async Task A_merchants_message_from_the_channel_is_stored_and_shown_on_the_timeline()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();

        var sent = await Fixture.SendAsync(new AddMessage.Command(opened.Id, "营业执照已拍照上传，请查收", channel, "wx-msg-1"));

        Assert.Equal(("inbound", false, opened.Version + 1), (sent.Direction, sent.Duplicate, sent.Version));
        var stored = await Fixture.WithConnectionAsync(c => c.QuerySingleAsync<(string, string, string)>(
            "SELECT direction, text, provider_message_id FROM case_messages WHERE id = @MessageId", sent));
        Assert.Equal(("inbound", "营业执照已拍照上传，请查收", "wx-msg-1"), stored);
        Assert.Equal(sent.At, (await Fixture.QueryAsync<DateTimeOffset>("SELECT at FROM case_messages WHERE id = @MessageId", sent)).Single());
        Assert.Equal("merchant", await Fixture.ScalarAsync<string>("SELECT visibility FROM case_events WHERE case_id = @Id AND kind = 'message'", opened));
    }

    [Fact]
    public async Task A_redelivered_message_is_stored_once_and_answers_with_the_original()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();
        var original = await Fixture.SendAsync(new AddMessage.Command(opened.Id, "在吗？", channel, "wx-msg-2"));
        Fixture.Clock.Advance(TimeSpan.FromMinutes(1));

        var again = await Fixture.SendAsync(new AddMessage.Command(opened.Id, "在吗？", channel, "wx-msg-2"));

        Assert.True(again.Duplicate);
        Assert.Equal((original.MessageId, original.At, original.Version), (again.MessageId, again.At, again.Version));
        Assert.Equal(1, await MessageCountAsync(opened.Id));
        Assert.Equal(1, await Fixture.EventCountAsync(opened.Id, "message"));
        Assert.Equal(original.Version, await Fixture.VersionAsync(opened.Id));
    }

    [Fact]
    public async Task Five_concurrent_deliveries_of_one_message_store_it_once()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();

        // A few rounds, each released at once, so the race between the duplicates is really run.
        for (var round = 1; round <= 4; round++)
        {
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var deliveries = Enumerable.Range(0, 5).Select(_ => Task.Run(async () =>
            {
                await start.Task;
                return await Fixture.SendAsync(new AddMessage.Command(opened.Id, "退款什么时候到账？", channel, $"wx-msg-race-{round}"));
            })).ToList();
            start.SetResult();
            var answers = await Task.WhenAll(deliveries);

            Assert.Single(answers.Select(a => a.MessageId).Distinct());
            Assert.Equal(4, answers.Count(a => a.Duplicate));
            Assert.Equal(round, await MessageCountAsync(opened.Id));
            Assert.Equal(round, await Fixture.EventCountAsync(opened.Id, "message"));
            Assert.Equal(opened.Version + round, await Fixture.VersionAsync(opened.Id));
        }
        await Fixture.AssertTimelineContiguousAsync(opened.Id);
    }

    [Fact]
    public async Task A_channel_must_give_the_provider_message_id_and_staff_must_not()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();

        var fromChannel = await Assert.ThrowsAsync<ValidationFailedException>(() => Fixture.SendAsync(new AddMessage.Command(opened.Id, "hello", channel)));
        var fromAgent = await Assert.ThrowsAsync<ValidationFailedException>(() => Fixture.SendAsync(new AddMessage.Command(opened.Id, "hello", Agent, "x-1")));

        Assert.Equal("A channel must give the provider's message id, so that a redelivered message is stored once.",
            Assert.Single(fromChannel.Errors["ProviderMessageId"]));
        Assert.Equal(["ProviderMessageId"], fromAgent.Errors.Keys);
        Assert.Equal(0, await MessageCountAsync(opened.Id));
    }

    [Fact]
    public async Task A_provider_message_id_reused_on_another_case_of_the_channel_is_a_conflict()
    {
        var (first, channel) = await Fixture.OpenDataFeeCaseAsync();
        var merchant = await Fixture.MerchantAsync();
        var second = await Fixture.SendAsync(new OpenCase.Command("data-fee-cancellation", merchant.MerchantId, "又被扣了", channel,
            ClaimAmountFen: 9_900, ClaimChargedOn: new DateOnly(2026, 11, 2)));
        await Fixture.SendAsync(new AddMessage.Command(first.Id, "第一条", channel, "wx-msg-3"));

        await Assert.ThrowsAsync<ConflictException>(() => Fixture.SendAsync(new AddMessage.Command(second.Id, "第二条", channel, "wx-msg-3")));

        Assert.Equal(0, await MessageCountAsync(second.Id));
    }

    [Fact]
    public async Task The_same_provider_message_id_from_two_channels_is_two_messages()
    {
        var (first, firstChannel) = await Fixture.OpenDataFeeCaseAsync();
        var (second, secondChannel) = await Fixture.OpenDataFeeCaseAsync();

        var a = await Fixture.SendAsync(new AddMessage.Command(first.Id, "hi", firstChannel, "msg-1"));
        var b = await Fixture.SendAsync(new AddMessage.Command(second.Id, "hi", secondChannel, "msg-1"));

        Assert.NotEqual(a.MessageId, b.MessageId);
        Assert.False(b.Duplicate);
    }

    [Fact]
    public async Task A_channel_cannot_write_on_a_case_another_channel_opened()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync();
        var stranger = await Fixture.ChannelAsync();

        await Assert.ThrowsAsync<NotFoundException>(() => Fixture.SendAsync(new AddMessage.Command(opened.Id, "hi", stranger, "s-1")));

        Assert.Equal(0, await MessageCountAsync(opened.Id));
    }

    [Fact]
    public async Task An_agents_reply_is_stored_and_queued_for_the_merchant_in_their_language()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync(language: "en");

        var sent = await Fixture.SendAsync(new AddMessage.Command(opened.Id, "We have your statement and are checking it.", Agent, ExpectedVersion: opened.Version));

        Assert.Equal(("outbound", opened.Version + 1), (sent.Direction, sent.Version));
        var stored = await Fixture.WithConnectionAsync(c => c.QuerySingleAsync<(string, string, Guid?)>(
            "SELECT direction, author_id, channel_client_id FROM case_messages WHERE id = @MessageId", sent));
        Assert.Equal(("outbound", Agent.Id, channel.ChannelClientId), stored);
        var queued = await Fixture.WithConnectionAsync(c => c.QuerySingleAsync<(string, string, string)>(
            "SELECT language, body, status FROM outbox_messages WHERE case_id = @Id AND template = 'agent-message' AND recipient = 'merchant'", opened));
        Assert.Equal(("en", "We have your statement and are checking it.", "pending"), queued);
        Assert.Equal("merchant", await Fixture.ScalarAsync<string>("SELECT visibility FROM case_events WHERE case_id = @Id AND kind = 'message'", opened));
        await Fixture.AssertTimelineContiguousAsync(opened.Id);
    }

    [Fact]
    public async Task A_reply_on_a_stale_version_conflicts_and_queues_nothing()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync();
        await Fixture.SendAsync(new AddNote.Command(opened.Id, "first", Agent));
        var queued = await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM outbox_messages WHERE case_id = @Id", opened);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            Fixture.SendAsync(new AddMessage.Command(opened.Id, "reply", Agent, ExpectedVersion: opened.Version)));

        Assert.Equal(queued, await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM outbox_messages WHERE case_id = @Id", opened));
        Assert.Equal(0, await MessageCountAsync(opened.Id));
    }

    [Fact]
    public async Task System_jobs_do_not_write_conversation_messages()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync();

        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new AddMessage.Command(opened.Id, "automated", Caller.System("job"))));
    }

    [Fact]
    public async Task Logs_never_carry_the_text_of_notes_or_messages()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();

        await Fixture.SendAsync(new AddNote.Command(opened.Id, "身份证号110101199003074514已核对", Agent));
        await Fixture.SendAsync(new AddMessage.Command(opened.Id, "我的卡号6222020200112233445", channel, "wx-pii"));

        Assert.Contains(Fixture.Logs.Lines, l => l.Contains("AddMessage.Command", StringComparison.Ordinal));
        Assert.DoesNotContain(Fixture.Logs.Lines, l => l.Contains("110101199003074514", StringComparison.Ordinal) || l.Contains("6222020200112233445", StringComparison.Ordinal));
    }
}

public sealed class ConversationOnSqlite(SqliteSliceFixture fixture) : ConversationTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class ConversationOnPostgres(PostgresSliceFixture fixture) : ConversationTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
