using PosSupport.Core.Cases;
using PosSupport.Core.Channels;
using PosSupport.Core.Negotiation;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.Slices;

/// <summary>A merchant writing on a finished case: reopened within the window, told to open a new case after it; the new case continues the old.</summary>
public abstract class ReopenByMessageTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;
    private static readonly Caller Agent = Caller.Agent(Guid.NewGuid());

    private async Task<TestDataNegotiation.OpenedCase> ResolvedDataFeeCaseAsync()
    {
        var opened = await Fixture.DataFeeCaseInNegotiationAsync();
        var offer = await Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "partial-refund", 5_000, IsFinal: false, Agent));
        var accepted = await Fixture.SendAsync(new RespondToOffer.Command(opened.Id, offer.OfferId, RespondToOffer.Answer.Accept, opened.Channel));
        Assert.Equal("resolved-refund", accepted.State);
        return opened;
    }

    [Fact]
    public async Task A_merchants_message_within_the_reopen_window_reopens_the_resolved_case()
    {
        var resolved = await ResolvedDataFeeCaseAsync();
        Fixture.Clock.Advance(TimeSpan.FromDays(6));

        var message = await Fixture.SendAsync(new AddMessage.Command(resolved.Id, "退款还没到账", resolved.Channel, "wx-reopen-1"));

        Assert.True(message.Reopened);
        var row = await Fixture.CaseRowAsync(resolved.Id);
        Assert.Equal(("negotiating", null), (row.State, row.Outcome));
        Assert.Equal(row.Version, message.Version);
        Assert.Contains("message", await Fixture.EventKindsAsync(resolved.Id));
        await Fixture.AssertTimelineContiguousAsync(resolved.Id);
    }

    [Fact]
    public async Task After_the_reopen_window_a_merchants_message_is_refused_and_nothing_is_stored()
    {
        var resolved = await ResolvedDataFeeCaseAsync();
        var version = await Fixture.VersionAsync(resolved.Id);
        Fixture.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));

        var refused = await Assert.ThrowsAsync<CaseClosedException>(() =>
            Fixture.SendAsync(new AddMessage.Command(resolved.Id, "还在吗", resolved.Channel, "wx-late-1")));

        Assert.Equal(resolved.Number, refused.CaseNumber);
        Assert.Equal(version, await Fixture.VersionAsync(resolved.Id));
        Assert.Equal(0L, await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM case_messages WHERE case_id = @Id AND provider_message_id = 'wx-late-1'", resolved));
        Assert.Equal("resolved-refund", (await Fixture.CaseRowAsync(resolved.Id)).State);
    }

    [Fact]
    public async Task A_merchants_message_on_a_closed_case_is_refused_but_an_agents_reply_is_not()
    {
        var resolved = await ResolvedDataFeeCaseAsync();
        await Fixture.FireAsync(resolved.Id, "close", Agent);

        await Assert.ThrowsAsync<CaseClosedException>(() => Fixture.SendAsync(new AddMessage.Command(resolved.Id, "你好", resolved.Channel, "wx-closed-1")));
        var reply = await Fixture.SendAsync(new AddMessage.Command(resolved.Id, "如有新问题请新建工单", Agent));

        Assert.False(reply.Reopened);
        Assert.Equal("closed", (await Fixture.CaseRowAsync(resolved.Id)).State);
    }

    [Fact]
    public async Task A_new_case_on_the_conversation_of_a_finished_case_continues_it_and_one_on_an_open_case_does_not()
    {
        var resolved = await ResolvedDataFeeCaseAsync();
        var conversation = (await Fixture.CaseRowAsync(resolved.Id)).ConversationId;
        Fixture.Clock.Advance(TimeSpan.FromDays(8));

        var continued = await Fixture.SendAsync(new OpenCase.Command("data-fee-cancellation", resolved.Merchant.MerchantId, "又被扣了流量费", resolved.Channel,
            ConversationId: conversation, ClaimAmountFen: 9_900, ClaimChargedOn: new DateOnly(2026, 11, 1)));
        Fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        var alongside = await Fixture.SendAsync(new OpenCase.Command("data-fee-cancellation", resolved.Merchant.MerchantId, "还有一台机器也被扣了", resolved.Channel,
            ConversationId: conversation, ClaimAmountFen: 9_900, ClaimChargedOn: new DateOnly(2026, 11, 1)));
        var otherChannel = await Fixture.ChannelAsync();
        var elsewhere = await Fixture.SendAsync(new OpenCase.Command("data-fee-cancellation", resolved.Merchant.MerchantId, "流量费", otherChannel,
            ConversationId: conversation, ClaimAmountFen: 9_900, ClaimChargedOn: new DateOnly(2026, 11, 1)));

        Assert.Equal(resolved.Id, continued.PreviousCaseId);
        Assert.Equal(resolved.Id, (await Fixture.CaseRowAsync(continued.Id)).PreviousCaseId);
        Assert.Null(alongside.PreviousCaseId);
        Assert.Null(elsewhere.PreviousCaseId);
    }
}

public sealed class ReopenByMessageOnSqlite(SqliteSliceFixture fixture) : ReopenByMessageTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class ReopenByMessageOnPostgres(PostgresSliceFixture fixture) : ReopenByMessageTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
