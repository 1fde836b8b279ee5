using PosSupport.Core.Cases;
using PosSupport.Core.Negotiation;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;
using PosSupport.Core.Workflows;
using Answer = PosSupport.Core.Negotiation.RespondToOffer.Answer;

namespace PosSupport.Core.Tests.Slices;

public abstract class NegotiationTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;
    private static readonly Caller Agent = Caller.Agent(Guid.NewGuid());
    private static readonly Caller Supervisor = Caller.Supervisor(Guid.NewGuid());

    private Task<List<string>> MerchantMessagesAsync(Guid caseId) =>
        Fixture.QueryAsync<string>("SELECT body FROM outbox_messages WHERE case_id = @caseId AND recipient = 'merchant' ORDER BY created_at", new { caseId });

    private Task<List<string>> FinanceMessagesAsync(Guid caseId) =>
        Fixture.QueryAsync<string>("SELECT body FROM outbox_messages WHERE case_id = @caseId AND recipient = 'finance'", new { caseId });

    private async Task<(TestDataNegotiation.OpenedCase Case, ProposeOffer.Result Offer)> OfferOnTheTableAsync(
        string kind = "partial-refund", long amountFen = 5_000, bool isFinal = false)
    {
        var opened = await Fixture.DataFeeCaseInNegotiationAsync();
        var offer = await Fixture.SendAsync(new ProposeOffer.Command(opened.Id, kind, amountFen, isFinal, Agent));
        return (opened, offer);
    }

    [Fact]
    public async Task An_offer_within_the_agents_authority_goes_to_the_merchant_with_a_three_day_expiry()
    {
        var opened = await Fixture.DataFeeCaseInNegotiationAsync();

        var offer = await Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "partial-refund", 5_000, false, Agent));

        Assert.Equal(("open", "offer-pending"), (offer.OfferStatus, offer.State));
        Assert.Equal(Fixture.Clock.GetUtcNow().AddDays(3), offer.ExpiresAt);
        var message = (await MerchantMessagesAsync(opened.Id))[^1];
        Assert.Contains("部分退款 50.00 元", message, StringComparison.Ordinal);
        Assert.Contains(TimeZoneInfo.ConvertTime(offer.ExpiresAt!.Value, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"))
            .ToString("yyyy年M月d日 HH:mm", System.Globalization.CultureInfo.InvariantCulture), message, StringComparison.Ordinal);
        var stored = Assert.Single(await Fixture.OffersAsync(opened.Id));
        Assert.Equal((offer.OfferId, "partial-refund", 5_000L, false, Agent.Id), (stored.Id, stored.Kind, stored.AmountFen, stored.NeedsApproval, stored.ProposedBy));
        Assert.Contains("offer-proposed", await Fixture.EventKindsAsync(opened.Id));
    }

    [Fact]
    public async Task An_offer_above_the_agents_authority_waits_for_a_supervisor_unseen_by_the_merchant_and_is_no_escalation()
    {
        var opened = await Fixture.DataFeeCaseInNegotiationAsync();
        var messagesBefore = (await MerchantMessagesAsync(opened.Id)).Count;

        var offer = await Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "partial-refund", Fixture.Options.AgentOfferAuthorityFen + 1, false, Agent));

        Assert.Equal(("awaiting-approval", "awaiting-approval", (DateTimeOffset?)null), (offer.OfferStatus, offer.State, offer.ExpiresAt));
        Assert.Equal(messagesBefore, (await MerchantMessagesAsync(opened.Id)).Count);
        Assert.Empty((await Fixture.SendAsync(new GetCase.Query(opened.Id, opened.Channel))).Offers);
        Assert.Single((await Fixture.SendAsync(new GetCase.Query(opened.Id, Agent))).Offers);
        Assert.Equal(0, (await Fixture.CaseRowAsync(opened.Id)).EscalationTier);
    }

    [Fact]
    public async Task A_supervisor_offers_above_the_agents_authority_without_approval()
    {
        var opened = await Fixture.DataFeeCaseInNegotiationAsync();

        var offer = await Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "full-refund", 19_900, true, Supervisor));

        Assert.Equal(("open", "offer-pending"), (offer.OfferStatus, offer.State));
    }

    [Fact]
    public async Task An_offer_of_a_kind_this_case_does_not_offer_is_refused_naming_the_kinds_it_does()
    {
        var opened = await Fixture.DeviceCaseInNegotiationAsync();

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "partial-refund", 1_000, false, Agent)));

        Assert.Equal("An offer on this case is one of: waive, reduce, split.", Assert.Single(error.Errors["Kind"]));
        Assert.Empty(await Fixture.OffersAsync(opened.Id));
    }

    [Fact]
    public async Task A_refund_offer_cannot_give_back_more_than_was_charged()
    {
        var opened = await Fixture.DataFeeCaseInNegotiationAsync(chargedFen: 9_900);

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "full-refund", 9_901, false, Agent)));

        Assert.Contains("9900 fen", Assert.Single(error.Errors["AmountFen"]), StringComparison.Ordinal);
        Assert.Empty(await Fixture.OffersAsync(opened.Id));
        Assert.Equal("negotiating", (await Fixture.CaseRowAsync(opened.Id)).State);
    }

    [Fact]
    public async Task A_cut_of_the_replacement_fee_cannot_exceed_the_fee_quoted()
    {
        var opened = await Fixture.DeviceCaseInNegotiationAsync();

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "reduce", 19_901, false, Agent)));

        Assert.Contains("19900 fen", Assert.Single(error.Errors["AmountFen"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_negative_offer_without_a_kind_is_refused_on_both_fields_at_once()
    {
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            Fixture.SendAsync(new ProposeOffer.Command(Guid.NewGuid(), "", -1, false, Agent)));

        Assert.Equal(["AmountFen", "Kind"], error.Errors.Keys.Order());
    }

    [Fact]
    public async Task A_chat_channel_cannot_propose_offers()
    {
        var opened = await Fixture.DataFeeCaseInNegotiationAsync();

        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "full-refund", 100, false, opened.Channel)));
    }

    [Fact]
    public async Task Proposing_before_the_assessment_is_refused_by_the_workflow()
    {
        var merchant = await Fixture.MerchantAsync();
        var opened = await Fixture.SendAsync(new OpenCase.Command("data-fee-cancellation", merchant.MerchantId, "扣费有误", Agent,
            ClaimAmountFen: 9_900, ClaimChargedOn: new DateOnly(2026, 6, 1)));

        var error = await Assert.ThrowsAsync<TransitionNotAllowedException>(() =>
            Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "full-refund", 100, false, Agent)));

        Assert.Equal(BlockKind.UnknownTrigger, Assert.Single(error.Reasons).Kind);
    }

    [Fact]
    public async Task Proposing_on_a_stale_version_is_a_conflict_and_leaves_no_offer()
    {
        var opened = await Fixture.DataFeeCaseInNegotiationAsync();
        var version = (await Fixture.CaseRowAsync(opened.Id)).Version;

        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "full-refund", 100, false, Agent, ExpectedVersion: version - 1)));

        Assert.Equal(version, conflict.CurrentVersion);
        Assert.Empty(await Fixture.OffersAsync(opened.Id));
    }

    [Fact]
    public async Task Proposing_on_an_unknown_case_is_not_found()
    {
        var error = await Assert.ThrowsAsync<NotFoundException>(() => Fixture.SendAsync(new ProposeOffer.Command(Guid.NewGuid(), "full-refund", 100, false, Agent)));
        Assert.Equal("Case", error.What);
    }

    [Fact]
    public async Task A_supervisor_approving_an_offer_sends_it_to_the_merchant_and_starts_its_expiry()
    {
        var (opened, proposed) = await OfferOnTheTableAsync(amountFen: 15_000);

        var approved = await Fixture.SendAsync(new ApproveOffer.Command(opened.Id, proposed.OfferId, ApproveOffer.Decision.Approve, Supervisor));

        Assert.Equal(("open", "offer-pending"), (approved.OfferStatus, approved.State));
        Assert.Equal(Fixture.Clock.GetUtcNow().AddDays(3), approved.ExpiresAt);
        Assert.Equal(Supervisor.Id, Assert.Single(await Fixture.OffersAsync(opened.Id)).ApproverId);
        Assert.Contains("部分退款 150.00 元", (await MerchantMessagesAsync(opened.Id))[^1], StringComparison.Ordinal);
        Assert.Single((await Fixture.SendAsync(new GetCase.Query(opened.Id, opened.Channel))).Offers);
    }

    [Fact]
    public async Task A_supervisor_declining_an_offer_sends_the_case_back_to_negotiating_with_the_reason()
    {
        var (opened, proposed) = await OfferOnTheTableAsync(amountFen: 15_000);

        var declined = await Fixture.SendAsync(new ApproveOffer.Command(opened.Id, proposed.OfferId, ApproveOffer.Decision.Decline, Supervisor,
            Reason: "先提出部分退款50元"));

        Assert.Equal(("declined", "negotiating"), (declined.OfferStatus, declined.State));
        var transition = await Fixture.ScalarAsync<string>(
            "SELECT data FROM case_events WHERE case_id = @Id AND kind = 'transition' ORDER BY seq DESC LIMIT 1", opened);
        Assert.Contains("reject-offer", transition, StringComparison.Ordinal);
        Assert.Contains("先提出部分退款50元", System.Text.RegularExpressions.Regex.Unescape(transition), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_a_supervisor_approves_offers()
    {
        var (opened, proposed) = await OfferOnTheTableAsync(amountFen: 15_000);

        await Assert.ThrowsAsync<ForbiddenException>(() =>
            Fixture.SendAsync(new ApproveOffer.Command(opened.Id, proposed.OfferId, ApproveOffer.Decision.Approve, Agent)));
        Assert.Equal("awaiting-approval", Assert.Single(await Fixture.OffersAsync(opened.Id)).Status);
    }

    [Fact]
    public async Task Approving_an_offer_that_is_not_awaiting_approval_is_a_conflict()
    {
        var (opened, proposed) = await OfferOnTheTableAsync(amountFen: 5_000);

        var error = await Assert.ThrowsAsync<ConflictException>(() =>
            Fixture.SendAsync(new ApproveOffer.Command(opened.Id, proposed.OfferId, ApproveOffer.Decision.Approve, Supervisor)));

        Assert.Contains("not awaiting approval", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Declining_an_offer_needs_a_reason_and_approving_takes_none()
    {
        var decline = await Assert.ThrowsAsync<ValidationFailedException>(() => Fixture.SendAsync(
            new ApproveOffer.Command(Guid.NewGuid(), Guid.NewGuid(), ApproveOffer.Decision.Decline, Supervisor)));
        var approve = await Assert.ThrowsAsync<ValidationFailedException>(() => Fixture.SendAsync(
            new ApproveOffer.Command(Guid.NewGuid(), Guid.NewGuid(), ApproveOffer.Decision.Approve, Supervisor, Reason: "fine")));

        Assert.Equal(["Reason"], decline.Errors.Keys);
        Assert.Equal(["Reason"], approve.Errors.Keys);
    }

    [Fact]
    public async Task Approving_an_offer_of_another_case_is_not_found()
    {
        var (_, proposed) = await OfferOnTheTableAsync(amountFen: 15_000);
        var other = await Fixture.DataFeeCaseInNegotiationAsync();

        var error = await Assert.ThrowsAsync<NotFoundException>(() =>
            Fixture.SendAsync(new ApproveOffer.Command(other.Id, proposed.OfferId, ApproveOffer.Decision.Approve, Supervisor)));

        Assert.Equal("Offer", error.What);
    }

    [Fact]
    public async Task The_merchant_accepting_a_partial_refund_resolves_the_case_and_finance_refunds_the_amount_offered()
    {
        var (opened, offer) = await OfferOnTheTableAsync("partial-refund", 5_000);

        var answered = await Fixture.SendAsync(new RespondToOffer.Command(opened.Id, offer.OfferId, Answer.Accept, opened.Channel));

        Assert.Equal(("accepted", "resolved-refund", "partially_refunded"), (answered.OfferStatus, answered.State, answered.Outcome));
        Assert.Contains("¥50.00", Assert.Single(await FinanceMessagesAsync(opened.Id)), StringComparison.Ordinal);
        // Messages written in one request share an instant, so their order in the outbox is not the order of writing.
        Assert.Contains(await MerchantMessagesAsync(opened.Id), m => m.Contains("50.00 元将退回", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_merchant_accepting_next_years_fee_waived_resolves_the_case_without_a_refund()
    {
        var (opened, offer) = await OfferOnTheTableAsync("waive-next-year", 9_900);

        var answered = await Fixture.SendAsync(new RespondToOffer.Command(opened.Id, offer.OfferId, Answer.Accept, opened.Channel));

        Assert.Equal(("resolved", "waived"), (answered.State, answered.Outcome));
        Assert.Empty(await FinanceMessagesAsync(opened.Id));
    }

    [Fact]
    public async Task Accepting_a_cut_of_the_replacement_fee_records_the_fee_left_to_pay()
    {
        var opened = await Fixture.DeviceCaseInNegotiationAsync();
        var offer = await Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "reduce", 5_000, false, Agent));
        Assert.Contains("换机费减免 50.00 元", (await MerchantMessagesAsync(opened.Id))[^1], StringComparison.Ordinal);

        var answered = await Fixture.SendAsync(new RespondToOffer.Command(opened.Id, offer.OfferId, Answer.Accept, Agent));

        Assert.Equal(("accepted", "preparing-shipment", 14_900L), (answered.OfferStatus, answered.State, answered.AgreedFeeFen));
        Assert.Equal(14_900, (await Fixture.CaseRowAsync(opened.Id)).AgreedFeeFen);
    }

    [Fact]
    public async Task Accepting_a_waived_replacement_fee_leaves_nothing_to_pay()
    {
        var opened = await Fixture.DeviceCaseInNegotiationAsync();
        var offer = await Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "waive", 19_900, false, Supervisor));

        var answered = await Fixture.SendAsync(new RespondToOffer.Command(opened.Id, offer.OfferId, Answer.Accept, opened.Channel));

        Assert.Equal(("preparing-shipment", 0L), (answered.State, answered.AgreedFeeFen));
    }

    [Fact]
    public async Task Accepting_a_rate_difference_refund_takes_the_fee_rate_workflows_accept_refund_and_refunds_the_offer()
    {
        var merchant = await Fixture.MerchantAsync(feeRateBp: 38);
        var channel = await Fixture.ChannelAsync();
        var opened = await Fixture.SendAsync(new OpenCase.Command("fee-rate-dispute", merchant.MerchantId, "费率应为0.38%，实际扣了0.60%", channel,
            ClaimChargedRateBp: 60, ClaimAmountFen: 8_800));
        await Fixture.AcceptAllEvidenceAsync(opened.Id);
        await Fixture.FireAsync(opened.Id, "evidence-complete", Agent);
        await Fixture.FireAsync(opened.Id, "assess", Agent);
        var offer = await Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "refund-difference", 3_000, false, Agent));
        Assert.Contains("退还费率差额 30.00 元", (await MerchantMessagesAsync(opened.Id))[^1], StringComparison.Ordinal);

        var answered = await Fixture.SendAsync(new RespondToOffer.Command(opened.Id, offer.OfferId, Answer.Accept, channel));

        Assert.Equal(("resolved-refund", "refunded"), (answered.State, answered.Outcome));
        Assert.Contains("¥30.00", Assert.Single(await FinanceMessagesAsync(opened.Id)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_merchant_rejecting_the_final_offer_escalates_the_case_to_a_supervisor()
    {
        var (opened, offer) = await OfferOnTheTableAsync(isFinal: true);

        var answered = await Fixture.SendAsync(new RespondToOffer.Command(opened.Id, offer.OfferId, Answer.Reject, opened.Channel, Reason: "我要全额退款"));

        Assert.Equal(("rejected", "escalated"), (answered.OfferStatus, answered.State));
        Assert.Equal(1, (await Fixture.CaseRowAsync(opened.Id)).EscalationTier);
        Assert.Contains("已转交主管处理", (await MerchantMessagesAsync(opened.Id))[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_merchant_rejecting_an_offer_that_is_not_final_returns_the_case_to_negotiating()
    {
        var (opened, offer) = await OfferOnTheTableAsync(isFinal: false);

        var answered = await Fixture.SendAsync(new RespondToOffer.Command(opened.Id, offer.OfferId, Answer.Reject, opened.Channel));

        Assert.Equal(("rejected", "negotiating"), (answered.OfferStatus, answered.State));
        Assert.Equal(0, (await Fixture.CaseRowAsync(opened.Id)).EscalationTier);
    }

    [Fact]
    public async Task A_counter_proposal_records_the_amount_the_merchant_asks_for_and_reopens_negotiation()
    {
        var (opened, offer) = await OfferOnTheTableAsync();

        var answered = await Fixture.SendAsync(new RespondToOffer.Command(opened.Id, offer.OfferId, Answer.Counter, opened.Channel, CounterAmountFen: 12_000, Note: "至少退120元"));

        Assert.Equal(("countered", "negotiating"), (answered.OfferStatus, answered.State));
        Assert.Equal(12_000, Assert.Single(await Fixture.OffersAsync(opened.Id)).CounterAmountFen);
        var next = await Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "partial-refund", 8_000, true, Agent));
        Assert.Equal("open", next.OfferStatus);
    }

    [Fact]
    public async Task An_offer_already_answered_is_no_longer_open()
    {
        var (opened, offer) = await OfferOnTheTableAsync();
        await Fixture.SendAsync(new RespondToOffer.Command(opened.Id, offer.OfferId, Answer.Reject, opened.Channel));
        await Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "partial-refund", 6_000, false, Agent));

        var error = await Assert.ThrowsAsync<ConflictException>(() => Fixture.SendAsync(new RespondToOffer.Command(opened.Id, offer.OfferId, Answer.Accept, opened.Channel)));

        Assert.Equal("This offer is no longer open.", error.Message);
    }

    [Fact]
    public async Task An_offer_past_its_expiry_cannot_be_accepted_even_before_the_expiry_job_has_run()
    {
        var (opened, offer) = await OfferOnTheTableAsync();
        Fixture.Clock.Advance(TimeSpan.FromDays(3));

        await Assert.ThrowsAsync<ConflictException>(() => Fixture.SendAsync(new RespondToOffer.Command(opened.Id, offer.OfferId, Answer.Accept, opened.Channel)));
        Assert.Equal("offer-pending", (await Fixture.CaseRowAsync(opened.Id)).State);
    }

    [Fact]
    public async Task An_offer_still_awaiting_approval_is_not_the_merchants_to_answer()
    {
        var (opened, offer) = await OfferOnTheTableAsync(amountFen: 15_000);

        var error = await Assert.ThrowsAsync<NotFoundException>(() => Fixture.SendAsync(new RespondToOffer.Command(opened.Id, offer.OfferId, Answer.Accept, opened.Channel)));

        Assert.Equal("Offer", error.What);
    }

    [Fact]
    public async Task Only_the_merchant_or_an_agent_for_them_answers_an_offer()
    {
        var (opened, offer) = await OfferOnTheTableAsync();

        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new RespondToOffer.Command(opened.Id, offer.OfferId, Answer.Accept, Supervisor)));
        await Assert.ThrowsAsync<NotFoundException>(() => Fixture.SendAsync(new RespondToOffer.Command(opened.Id, offer.OfferId, Answer.Accept, Caller.Channel(Guid.NewGuid()))));
        Assert.Equal("open", Assert.Single(await Fixture.OffersAsync(opened.Id)).Status);
    }

    [Fact]
    public async Task A_counter_proposal_needs_an_amount_and_only_a_rejection_takes_a_reason()
    {
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            Fixture.SendAsync(new RespondToOffer.Command(Guid.NewGuid(), Guid.NewGuid(), Answer.Counter, Agent, Reason: "no")));

        Assert.Equal(["CounterAmountFen", "Reason"], error.Errors.Keys.Order());
    }

    [Fact]
    public async Task Answering_on_a_stale_version_is_a_conflict_and_the_offer_stays_open()
    {
        var (opened, offer) = await OfferOnTheTableAsync();

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            Fixture.SendAsync(new RespondToOffer.Command(opened.Id, offer.OfferId, Answer.Accept, opened.Channel, ExpectedVersion: offer.Version - 1)));

        Assert.Equal("open", Assert.Single(await Fixture.OffersAsync(opened.Id)).Status);
    }
}

public sealed class NegotiationOnSqlite(SqliteSliceFixture fixture) : NegotiationTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class NegotiationOnPostgres(PostgresSliceFixture fixture) : NegotiationTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
