using Dapper;
using Microsoft.Extensions.DependencyInjection;
using PosSupport.Core.Cases;
using PosSupport.Core.Negotiation;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Tests.Slices;

public abstract class WithdrawOfferTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;
    private static readonly Caller Agent = Caller.Agent(Guid.NewGuid());
    private static readonly Caller Supervisor = Caller.Supervisor(Guid.NewGuid());

    private Task<List<(string Template, string Body)>> MerchantMessagesAsync(Guid caseId) =>
        Fixture.WithConnectionAsync(async c => (await c.QueryAsync<(string, string)>(
            "SELECT template, body FROM outbox_messages WHERE case_id = @caseId AND recipient = 'merchant' ORDER BY created_at, id", new { caseId })).ToList());

    private Task<long> PendingFollowUpsInAsync(Guid caseId, string state) =>
        Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM follow_ups WHERE case_id = @caseId AND state = @state AND status = 'pending'", new { caseId, state });

    // A case opened before version 2 was published: same states, pinned to version 1, which has no withdraw-offer step.
    private Task<int> PinToVersion1Async(Guid caseId) =>
        Fixture.WithConnectionAsync(c => c.ExecuteAsync("UPDATE cases SET workflow_version = 1 WHERE id = @caseId", new { caseId }));

    [Fact]
    public async Task New_cases_open_on_the_newest_version_which_has_the_withdraw_step()
    {
        var opened = await Fixture.DataFeeCaseInNegotiationAsync();

        Assert.Equal(2, (await Fixture.CaseRowAsync(opened.Id)).WorkflowVersion);
    }

    [Fact]
    public async Task Withdrawing_the_offer_the_merchant_was_shown_takes_the_case_back_to_negotiating_tells_the_merchant_and_cancels_its_expiry()
    {
        var opened = await Fixture.DataFeeCaseInNegotiationAsync();
        var offer = await Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "partial-refund", 5_000, false, Agent));
        Assert.Equal(2, await PendingFollowUpsInAsync(opened.Id, "offer-pending"));

        var withdrawn = await Fixture.SendAsync(new WithdrawOffer.Command(opened.Id, offer.OfferId, Agent, offer.Version));

        Assert.Equal((offer.OfferId, "withdrawn", "negotiating", offer.Version + 1), (withdrawn.OfferId, withdrawn.OfferStatus, withdrawn.State, withdrawn.Version));
        Assert.Equal("withdrawn", Assert.Single(await Fixture.OffersAsync(opened.Id)).Status);
        Assert.Equal(0, await PendingFollowUpsInAsync(opened.Id, "offer-pending"));
        var (template, body) = (await MerchantMessagesAsync(opened.Id))[^1];
        Assert.Equal("offer-withdrawn", template);
        Assert.Contains($"工单{opened.Number}的方案（部分退款 50.00 元）已撤回", body, StringComparison.Ordinal);
        var transition = (await Fixture.SendAsync(new GetTimeline.Query(opened.Id, Agent, Limit: 200))).Events.Last(e => e.Kind == "transition");
        Assert.Equal(("withdraw-offer", "offer-pending", "negotiating"), (transition.Data.GetProperty("trigger").GetString(),
            transition.Data.GetProperty("from").GetString(), transition.Data.GetProperty("to").GetString()));
        await Fixture.AssertTimelineContiguousAsync(opened.Id);
    }

    [Fact]
    public async Task Withdrawing_an_offer_still_awaiting_approval_says_nothing_to_the_merchant_who_never_saw_it()
    {
        var opened = await Fixture.DataFeeCaseInNegotiationAsync();
        var offer = await Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "partial-refund", Fixture.Options.AgentOfferAuthorityFen + 1, false, Agent));
        var messagesBefore = await MerchantMessagesAsync(opened.Id);

        var withdrawn = await Fixture.SendAsync(new WithdrawOffer.Command(opened.Id, offer.OfferId, Supervisor));

        Assert.Equal(("withdrawn", "negotiating"), (withdrawn.OfferStatus, withdrawn.State));
        Assert.Equal(messagesBefore, await MerchantMessagesAsync(opened.Id));
        Assert.Equal(0, await PendingFollowUpsInAsync(opened.Id, "awaiting-approval"));
    }

    [Fact]
    public async Task After_a_withdrawal_the_agent_can_propose_again_and_the_withdrawn_offer_is_no_longer_the_current_one()
    {
        var opened = await Fixture.DataFeeCaseInNegotiationAsync();
        var first = await Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "partial-refund", 5_000, false, Agent));
        await Fixture.SendAsync(new WithdrawOffer.Command(opened.Id, first.OfferId, Agent));
        Fixture.Clock.Advance(TimeSpan.FromMinutes(5));

        var second = await Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "partial-refund", 8_000, false, Agent));
        var error = await Assert.ThrowsAsync<ConflictException>(() => Fixture.SendAsync(new WithdrawOffer.Command(opened.Id, first.OfferId, Agent)));

        Assert.Equal("This offer is not the case's current offer: it is withdrawn.", error.Message);
        Assert.Equal(("open", "offer-pending"), (second.OfferStatus, second.State));
        Assert.Equal(["withdrawn", "open"], (await Fixture.OffersAsync(opened.Id)).Select(o => o.Status));
    }

    [Fact]
    public async Task An_answered_offer_or_one_of_another_case_cannot_be_withdrawn()
    {
        var opened = await Fixture.DataFeeCaseInNegotiationAsync();
        var offer = await Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "partial-refund", 5_000, false, Agent));
        await Fixture.SendAsync(new RespondToOffer.Command(opened.Id, offer.OfferId, RespondToOffer.Answer.Reject, opened.Channel));
        var other = await Fixture.DataFeeCaseInNegotiationAsync();

        var answered = await Assert.ThrowsAsync<ConflictException>(() => Fixture.SendAsync(new WithdrawOffer.Command(opened.Id, offer.OfferId, Agent)));
        var elsewhere = await Assert.ThrowsAsync<NotFoundException>(() => Fixture.SendAsync(new WithdrawOffer.Command(other.Id, offer.OfferId, Agent)));

        Assert.Contains("it is rejected", answered.Message, StringComparison.Ordinal);
        Assert.Equal("Offer", elsewhere.What);
    }

    [Fact]
    public async Task Only_agents_and_supervisors_withdraw_offers()
    {
        var opened = await Fixture.DataFeeCaseInNegotiationAsync();
        var offer = await Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "partial-refund", 5_000, false, Agent));

        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new WithdrawOffer.Command(opened.Id, offer.OfferId, opened.Channel)));
        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new WithdrawOffer.Command(opened.Id, offer.OfferId, Caller.System("test"))));

        Assert.Equal("open", Assert.Single(await Fixture.OffersAsync(opened.Id)).Status);
    }

    [Fact]
    public async Task Withdrawing_on_a_stale_version_is_a_conflict_and_the_offer_stays_open()
    {
        var opened = await Fixture.DataFeeCaseInNegotiationAsync();
        var offer = await Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "partial-refund", 5_000, false, Agent));

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            Fixture.SendAsync(new WithdrawOffer.Command(opened.Id, offer.OfferId, Agent, offer.Version - 1)));

        Assert.Equal(("open", "offer-pending"), (Assert.Single(await Fixture.OffersAsync(opened.Id)).Status, (await Fixture.CaseRowAsync(opened.Id)).State));
    }

    [Fact]
    public async Task A_device_case_offer_cut_is_withdrawn_the_same_way()
    {
        var opened = await Fixture.DeviceCaseInNegotiationAsync();
        var offer = await Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "reduce", 5_000, false, Agent));

        var withdrawn = await Fixture.SendAsync(new WithdrawOffer.Command(opened.Id, offer.OfferId, Agent));

        Assert.Equal(("withdrawn", "negotiating"), (withdrawn.OfferStatus, withdrawn.State));
        Assert.Equal("offer-withdrawn", (await MerchantMessagesAsync(opened.Id))[^1].Template);
    }

    [Fact]
    public async Task A_case_still_on_version_1_is_refused_with_a_reason_that_says_to_migrate_it()
    {
        var opened = await Fixture.DataFeeCaseInNegotiationAsync();
        var offer = await Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "partial-refund", 5_000, false, Agent));
        await PinToVersion1Async(opened.Id);

        var error = await Assert.ThrowsAsync<TransitionNotAllowedException>(() => Fixture.SendAsync(new WithdrawOffer.Command(opened.Id, offer.OfferId, Agent)));

        var reason = Assert.Single(error.Reasons);
        Assert.Equal("This case's workflow version (data-fee-cancellation v1) has no withdraw step; migrate it to a newer version first.", reason.Text.En);
        Assert.Contains("请先将其迁移到新版本", reason.Text.ZhCn, StringComparison.Ordinal);
        Assert.Equal(("open", "offer-pending"), (Assert.Single(await Fixture.OffersAsync(opened.Id)).Status, (await Fixture.CaseRowAsync(opened.Id)).State));
        Assert.DoesNotContain(WithdrawOffer.Trigger, (await Fixture.SendAsync(new GetCase.Query(opened.Id, Agent))).AllowedActions.Select(a => a.Trigger));
    }

    [Theory]
    [InlineData("data-fee-cancellation")]
    [InlineData("device-replacement")]
    [InlineData("fee-rate-dispute")]
    public async Task Every_shipped_workflow_moves_its_version_1_cases_to_version_2_with_each_state_mapped_to_itself(string workflowId)
    {
        var caseId = workflowId switch
        {
            "data-fee-cancellation" => (await Fixture.DataFeeCaseInNegotiationAsync()).Id,
            "device-replacement" => (await Fixture.DeviceCaseInNegotiationAsync()).Id,
            _ => (await Fixture.OpenFeeRateAsync((await Fixture.MerchantAsync()).MerchantId, await Fixture.ChannelAsync())).Id,
        };
        var state = (await Fixture.CaseRowAsync(caseId)).State;
        await PinToVersion1Async(caseId);
        var v1 = Fixture.Services.GetRequiredService<WorkflowCatalog>().Get(workflowId, 1);
        var map = v1.States.Where(s => s.Kind != StateKind.Final).ToDictionary(s => s.Name, s => s.Name, StringComparer.Ordinal);

        var migrated = await Fixture.SendAsync(new MigrateCases.Command(workflowId, 2, map, Caller.System("workflows-migrate")));

        Assert.Empty(migrated.NotMoved);
        var move = Assert.Single(migrated.Moves, m => m.CaseId == caseId);
        Assert.Equal((1, state, state), (move.FromVersion, move.FromState, move.ToState));
        var row = await Fixture.CaseRowAsync(caseId);
        Assert.Equal((2, state), (row.WorkflowVersion, row.State));
    }

    [Fact]
    public async Task A_version_1_case_migrated_to_version_2_keeps_its_state_and_offer_and_can_then_withdraw_it()
    {
        var opened = await Fixture.DataFeeCaseInNegotiationAsync();
        var offer = await Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "partial-refund", 5_000, false, Agent));
        await PinToVersion1Async(opened.Id);
        // Every state a v1 case can be open or resolved in is also a state of v2.
        var v1 = Fixture.Services.GetRequiredService<WorkflowCatalog>().Get("data-fee-cancellation", 1);
        var map = v1.States.Where(s => s.Kind != StateKind.Final).ToDictionary(s => s.Name, s => s.Name, StringComparer.Ordinal);

        var migrated = await Fixture.SendAsync(new MigrateCases.Command("data-fee-cancellation", 2, map, Caller.System("workflows-migrate")));

        var move = Assert.Single(migrated.Moves, m => m.CaseId == opened.Id);
        Assert.Equal((1, "offer-pending", "offer-pending"), (move.FromVersion, move.FromState, move.ToState));
        var view = await Fixture.SendAsync(new GetCase.Query(opened.Id, Agent));
        Assert.Equal((2, "offer-pending"), (view.Case.WorkflowVersion, view.Case.State));
        Assert.True(Assert.Single(view.AllowedActions, a => a.Trigger == WithdrawOffer.Trigger).Allowed);
        var withdrawn = await Fixture.SendAsync(new WithdrawOffer.Command(opened.Id, offer.OfferId, Agent));
        Assert.Equal(("withdrawn", "negotiating"), (withdrawn.OfferStatus, withdrawn.State));
    }
}

public sealed class WithdrawOfferOnSqlite(SqliteSliceFixture fixture) : WithdrawOfferTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class WithdrawOfferOnPostgres(PostgresSliceFixture fixture) : WithdrawOfferTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
