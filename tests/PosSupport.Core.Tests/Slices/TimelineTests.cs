using System.Text.Json;
using PosSupport.Core.Cases;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.Slices;

public abstract class TimelineTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;

    private async Task<(OpenCase.Result Case, Caller Channel)> OpenAsChannelAsync()
    {
        var merchant = await Fixture.NamedMerchantAsync(TestDataQueries.Unique("时间线商户"));
        var channel = await Fixture.ChannelAsync();
        return (await Fixture.OpenDataFeeAsync(merchant.MerchantId, channel), channel);
    }

    private async Task<List<GetTimeline.TimelineEvent>> AllPagesAsync(Guid caseId, Caller caller, int limit)
    {
        var events = new List<GetTimeline.TimelineEvent>();
        long? after = null;
        do
        {
            var page = await Fixture.SendAsync(new GetTimeline.Query(caseId, caller, after, limit));
            Assert.True(page.Events.Count <= limit);
            events.AddRange(page.Events);
            after = page.NextAfterSeq;
        } while (after is not null);
        return events;
    }

    [Fact]
    public async Task The_timeline_lists_every_event_in_sequence_with_who_did_it_and_when()
    {
        var merchant = await Fixture.NamedMerchantAsync(TestDataQueries.Unique("时间线商户"));
        var agent = Caller.Agent(Guid.NewGuid());
        var opened = await Fixture.OpenDataFeeAsync(merchant.MerchantId, agent);

        var timeline = await Fixture.SendAsync(new GetTimeline.Query(opened.Id, agent));

        Assert.Equal(Enumerable.Range(1, timeline.Events.Count).Select(i => (long)i), timeline.Events.Select(e => e.Seq));
        Assert.Null(timeline.NextAfterSeq);
        var first = timeline.Events[0];
        Assert.Equal(("opened", "agent", agent.Id, Fixture.Clock.GetUtcNow()), (first.Kind, first.Actor, first.ActorId, first.At));
        Assert.Equal(opened.Number, first.Data.GetProperty("number").GetString());
        Assert.Equal(JsonValueKind.Object, first.Data.ValueKind);
        Assert.Contains(timeline.Events, e => e is { Kind: "contract-captured", MerchantVisible: false });
        var transition = timeline.Events.Single(e => e.Kind == "transition");
        Assert.Equal(("contract-found", "collecting-evidence"),
            (transition.Data.GetProperty("trigger").GetString(), transition.Data.GetProperty("to").GetString()));
    }

    [Fact]
    public async Task The_timeline_comes_a_page_at_a_time_without_gaps_or_repeats()
    {
        var (opened, _) = await OpenAsChannelAsync();
        var agent = Caller.Agent(Guid.NewGuid());
        var whole = (await Fixture.SendAsync(new GetTimeline.Query(opened.Id, agent, Limit: GetTimeline.MaxLimit))).Events;
        Assert.True(whole.Count >= 4, $"expected several events, got {whole.Count}");

        var paged = await AllPagesAsync(opened.Id, agent, limit: 2);

        Assert.Equal(whole.Select(e => e.Seq), paged.Select(e => e.Seq));
        var second = await Fixture.SendAsync(new GetTimeline.Query(opened.Id, agent, AfterSeq: 2, Limit: 1));
        Assert.Equal(3, Assert.Single(second.Events).Seq);
        Assert.Equal(3, second.NextAfterSeq);
    }

    [Fact]
    public async Task A_channel_sees_only_merchant_visible_events_and_not_which_staff_member_acted()
    {
        var (opened, channel) = await OpenAsChannelAsync();
        var agent = Caller.Agent(Guid.NewGuid());
        await Fixture.SendAsync(new FireTrigger.Command(opened.Id, "escalate", new Dictionary<string, string>(), agent));

        var seen = await AllPagesAsync(opened.Id, channel, limit: 3);
        var all = (await Fixture.SendAsync(new GetTimeline.Query(opened.Id, agent, Limit: GetTimeline.MaxLimit))).Events;

        Assert.All(seen, e => Assert.True(e.MerchantVisible));
        Assert.Equal(all.Where(e => e.MerchantVisible).Select(e => e.Seq), seen.Select(e => e.Seq));
        Assert.Contains(all, e => !e.MerchantVisible);
        Assert.Equal(channel.Id, seen.Single(e => e.Kind == "opened").ActorId);
        var escalation = seen.Single(e => e.Kind == "transition" && e.Data.GetProperty("trigger").GetString() == "escalate");
        Assert.Equal(("agent", null), (escalation.Actor, escalation.ActorId));
        Assert.Equal(agent.Id, all.Single(e => e.Seq == escalation.Seq).ActorId);
    }

    [Fact]
    public async Task Another_channel_or_an_unknown_case_is_not_found()
    {
        var (opened, _) = await OpenAsChannelAsync();

        await Assert.ThrowsAsync<NotFoundException>(() => Fixture.SendAsync(new GetTimeline.Query(opened.Id, Caller.Channel(Guid.NewGuid()))));
        var unknown = await Assert.ThrowsAsync<NotFoundException>(() => Fixture.SendAsync(new GetTimeline.Query(Guid.NewGuid(), Caller.Agent(Guid.NewGuid()))));
        Assert.Equal("Case", unknown.What);
    }

    [Fact]
    public async Task A_bad_timeline_request_reports_every_field_at_once()
    {
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            Fixture.SendAsync(new GetTimeline.Query(Guid.Empty, Caller.Agent(Guid.NewGuid()), AfterSeq: -1, Limit: GetTimeline.MaxLimit + 1)));

        Assert.Equal(["AfterSeq", "CaseId", "Limit"], error.Errors.Keys.Order());
    }
}

public sealed class TimelineOnSqlite(SqliteSliceFixture fixture) : TimelineTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class TimelineOnPostgres(PostgresSliceFixture fixture) : TimelineTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
