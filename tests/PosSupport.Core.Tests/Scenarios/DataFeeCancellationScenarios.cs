using PosSupport.Core.Workflows;

namespace PosSupport.Core.Tests.Scenarios;

/// <summary>Data-fee cancellation cases (流量费取消/退费) walked through workflows/data-fee-cancellation.v1.json.</summary>
public class DataFeeCancellationScenarios
{
    private const string Workflow = "data-fee-cancellation";
    private static readonly string[] RequiredEvidence = ["business-licence", "transaction-records", "settlement-statement"];
    private static readonly DateOnly ActivatedOn = new(2024, 3, 1);

    private static readonly ContractFacts NoClause = new() { HasDataFeeClause = false, RefundWindowDays = 30 };

    private static readonly ContractFacts ClauseNotified = new()
    {
        HasDataFeeClause = true,
        FeeNoticeGiven = true,
        DataFeeAmountFen = 9_900,
        DataFeeWaiverVolumeFen = 50_000_000,
        RefundWindowDays = 30,
    };

    /// <summary>A case whose contract is on file and whose evidence is all accepted: it waits for the agent's assessment.</summary>
    private static CaseJourney AtAssessment(ContractFacts contract, DateOnly chargedOn, long trailingYearVolumeFen = 1_000_000)
    {
        var journey = CaseJourney.Open(Workflow, new CaseFacts
        {
            Contract = contract,
            Device = new DeviceFacts { ActivatedOn = ActivatedOn },
            DataFeeChargedOn = chargedOn,
            TrailingYearVolumeFen = trailingYearVolumeFen,
        });
        journey.Fire(Actor.System, "contract-found");
        journey.AcceptEvidence(RequiredEvidence);
        journey.Fire(Actor.System, "evidence-complete");
        Assert.Equal("assessing", journey.State);
        return journey;
    }

    /// <summary>Charged on 2026-09-01: 83 days before the case, outside a 30-day refund window, no waiver.</summary>
    private static CaseJourney Negotiating()
    {
        var journey = AtAssessment(ClauseNotified, new DateOnly(2026, 9, 1));
        journey.Fire(Actor.Agent, "assess");
        Assert.Equal("negotiating", journey.State);
        return journey;
    }

    [Fact]
    public void Refunds_in_full_when_the_contract_has_no_data_fee_clause()
    {
        var journey = CaseJourney.Open(Workflow);

        Assert.Equal("gathering-contract", journey.State);
        Assert.Equal(["contract.lookup"], journey.LastEffects.Actions());
        Assert.Equal(["case-received"], journey.LastEffects.MessagesTo(Recipient.Merchant));
        var waitForContract = journey.Action(Actor.System, "contract-found");
        Assert.False(waitForContract.Allowed);
        Assert.Equal("contract.known", Assert.Single(waitForContract.Reasons).Code);

        journey.Facts = journey.Facts with { Contract = NoClause, DataFeeChargedOn = new DateOnly(2026, 1, 5) };
        var evidence = journey.Fire(Actor.System, "contract-found");

        Assert.Equal("collecting-evidence", journey.State);
        Assert.Equal(StateKind.WaitingOnMerchant, evidence.Effects.Entered().Kind);
        Assert.Equal(RequiredEvidence, evidence.Effects.RequestedEvidence());
        Assert.Equal(["evidence.request"], evidence.Effects.Actions());
        Assert.Equal(CaseJourney.Opened.AddDays(1), journey.Reminder("evidence-missing").DueAt);
        Assert.Equal(CaseJourney.Opened.AddDays(7), journey.FollowUpFiring("evidence-timed-out").DueAt);

        journey.Now = CaseJourney.Opened.AddHours(5);
        journey.AcceptEvidence(RequiredEvidence);
        var assessing = journey.Fire(Actor.System, "evidence-complete");

        Assert.Equal("assessing", journey.State);
        Assert.Contains(new FollowUpsCancelled("collecting-evidence"), assessing.Effects);
        Assert.Empty(journey.PendingFollowUps);
        Assert.Equal(["evidence-received"], assessing.Effects.MessagesTo(Recipient.Assignee));

        var resolved = journey.Fire(Actor.Agent, "assess");

        Assert.Equal("resolved-refund", journey.State);
        Assert.Equal("refunded", resolved.Effects.OutcomeSet());
        Assert.Equal(StateKind.Resolved, resolved.Effects.Entered().Kind);
        Assert.Equal(["refund.instruct"], resolved.Effects.Actions());
        Assert.Equal(["refund-resolved"], resolved.Effects.MessagesTo(Recipient.Merchant));
        var autoClose = journey.FollowUpFiring("close");
        Assert.Equal(CaseJourney.Opened.AddHours(5).AddDays(7), autoClose.DueAt);

        var closed = journey.WaitForFollowUp("close");

        Assert.Equal("closed", journey.State);
        Assert.Equal(StateKind.Final, closed.Effects.Entered().Kind);
        Assert.Null(closed.Effects.OutcomeSet());
        Assert.Equal("refunded", journey.Outcome);
        Assert.Equal(["case-closed"], closed.Effects.MessagesTo(Recipient.Merchant));
        Assert.Empty(journey.Actions(Actor.Agent));
    }

    [Fact]
    public void Refunds_in_full_when_the_merchant_was_never_notified_of_the_fee()
    {
        var journey = AtAssessment(ClauseNotified with { FeeNoticeGiven = false }, new DateOnly(2026, 9, 1));

        var result = journey.Fire(Actor.Agent, "assess");

        Assert.Equal("resolved-refund", journey.State);
        Assert.Equal("refunded", result.Effects.OutcomeSet());
        Assert.Equal([new GuardReference("contract.has-data-fee-clause", false), new GuardReference("contract.fee-notice-given", true)],
            result.Transition!.When);
    }

    [Fact]
    public void Waives_and_refunds_the_fee_when_the_yearly_volume_meets_the_waiver_condition()
    {
        var journey = AtAssessment(ClauseNotified, new DateOnly(2026, 9, 1), trailingYearVolumeFen: 80_000_000);

        var result = journey.Fire(Actor.Agent, "assess");

        Assert.Equal("resolved-refund", journey.State);
        Assert.Equal("waived", result.Effects.OutcomeSet());
        Assert.Equal(["refund.instruct"], result.Effects.Actions());
    }

    [Fact]
    public void Waives_the_fee_charged_inside_the_contracts_free_period()
    {
        var journey = AtAssessment(ClauseNotified with { DataFeeFreeDays = 365 }, ActivatedOn.AddDays(200));

        var result = journey.Fire(Actor.Agent, "assess");

        Assert.Equal("waived", result.Effects.OutcomeSet());
    }

    [Fact]
    public void Refunds_a_charge_that_is_still_inside_the_refund_window()
    {
        var journey = AtAssessment(ClauseNotified, new DateOnly(2026, 11, 10));

        var result = journey.Fire(Actor.System, "assess");

        Assert.Equal("resolved-refund", journey.State);
        Assert.Equal("refunded", result.Effects.OutcomeSet());
    }

    [Fact]
    public void Negotiates_when_nothing_in_the_contract_settles_it_and_the_merchant_accepts_a_partial_refund()
    {
        var journey = Negotiating();

        var offered = journey.ProposeOffer(Actor.Agent, "partial-refund", 5_000);

        Assert.Equal("offer-pending", journey.State);
        Assert.Equal(StateKind.WaitingOnMerchant, offered.Effects.Entered().Kind);
        Assert.Equal(["offer-made"], offered.Effects.MessagesTo(Recipient.Merchant));
        var reminder = journey.Reminder("offer-reminder");
        Assert.Equal(CaseJourney.Opened.AddDays(1), reminder.DueAt);
        Assert.Equal((1, TimeSpan.FromDays(1)), (reminder.FollowUp.Repeat, reminder.FollowUp.Every));
        Assert.Equal(CaseJourney.Opened.AddDays(3), journey.FollowUpFiring("offer-expired").DueAt);

        var accepted = journey.Fire(Actor.Customer, "accept-partial-refund");

        Assert.Equal("resolved-refund", journey.State);
        Assert.Equal("partially_refunded", accepted.Effects.OutcomeSet());
        Assert.Equal(["refund.instruct"], accepted.Effects.Actions());
        Assert.Equal([new FollowUpsCancelled("offer-pending")], accepted.Effects.OfType<FollowUpsCancelled>());
    }

    [Theory]
    [InlineData("full-refund", "accept-full-refund", "resolved-refund", "refunded", true)]
    [InlineData("partial-refund", "accept-partial-refund", "resolved-refund", "partially_refunded", true)]
    [InlineData("waive-next-year", "accept-waive-next-year", "resolved", "waived", false)]
    [InlineData("plan-change", "accept-plan-change", "resolved", "plan_changed", false)]
    [InlineData("points-credit", "accept-points-credit", "resolved", "points_credited", false)]
    public void Accepting_an_offer_resolves_the_case_with_the_outcome_of_its_kind(
        string kind, string accept, string resolvedState, string outcome, bool refundInstructed)
    {
        var journey = Negotiating();
        journey.ProposeOffer(Actor.Agent, kind, 9_900);

        var result = journey.Fire(Actor.Customer, accept);

        Assert.Equal(resolvedState, journey.State);
        Assert.Equal(outcome, result.Effects.OutcomeSet());
        Assert.Equal(refundInstructed, result.Effects.Actions().Contains("refund.instruct"));
        Assert.Single(result.Effects.MessagesTo(Recipient.Merchant));
    }

    [Fact]
    public void An_agent_can_record_the_acceptance_a_merchant_gave_by_phone()
    {
        var journey = Negotiating();
        journey.ProposeOffer(Actor.Agent, "plan-change", 5_000);

        journey.Fire(Actor.Agent, "accept-plan-change");

        Assert.Equal("plan_changed", journey.Outcome);
    }

    [Fact]
    public void An_offer_above_the_agents_authority_waits_for_a_supervisors_approval()
    {
        var journey = Negotiating();

        var proposed = journey.ProposeOffer(Actor.Agent, "full-refund", 19_900);

        Assert.Equal("awaiting-approval", journey.State);
        Assert.Equal(["supervisor.queue"], proposed.Effects.Actions());
        Assert.Empty(proposed.Effects.MessagesTo(Recipient.Merchant));
        var agentTries = journey.TryFire(Actor.Agent, "approve-offer");
        Assert.False(agentTries.Succeeded);
        Assert.Equal(BlockKind.WrongActor, Assert.Single(agentTries.Reasons).Kind);

        var approved = journey.Fire(Actor.Supervisor, "approve-offer");

        Assert.Equal("offer-pending", journey.State);
        Assert.Equal(["offer-made"], approved.Effects.MessagesTo(Recipient.Merchant));
    }

    [Fact]
    public void A_supervisor_can_send_an_offer_above_authority_back_to_negotiation()
    {
        var journey = Negotiating();
        journey.ProposeOffer(Actor.Agent, "full-refund", 19_900);

        journey.Fire(Actor.Supervisor, "reject-offer", ("reason", "offer 50% first"));

        Assert.Equal("negotiating", journey.State);
    }

    [Fact]
    public void A_supervisor_may_offer_above_the_agents_authority_directly()
    {
        var journey = Negotiating();

        journey.ProposeOffer(Actor.Supervisor, "full-refund", 19_900);

        Assert.Equal("offer-pending", journey.State);
    }

    [Theory]
    [InlineData("supervisor-refund", "resolved-refund", "refunded")]
    [InlineData("supervisor-partial-refund", "resolved-refund", "partially_refunded")]
    [InlineData("supervisor-waive", "resolved-refund", "waived")]
    [InlineData("supervisor-decline", "resolved", "declined")]
    public void Rejecting_the_final_offer_escalates_to_a_supervisor_who_decides(string decision, string resolvedState, string outcome)
    {
        var journey = Negotiating();
        journey.ProposeOffer(Actor.Agent, "partial-refund", 5_000, final: true);

        var escalated = journey.Fire(Actor.Customer, "reject", ("reason", "I never agreed to any data fee"));

        Assert.Equal("escalated", journey.State);
        Assert.Equal(["supervisor.queue"], escalated.Effects.Actions());
        Assert.Equal(["case-escalated"], escalated.Effects.MessagesTo(Recipient.Assignee));
        Assert.Equal(["merchant-escalated"], escalated.Effects.MessagesTo(Recipient.Merchant));
        Assert.Empty(escalated.Effects.Scheduled());
        var inputs = DecisionInputs(decision);
        Assert.Equal(BlockKind.WrongActor, Assert.Single(journey.TryFire(Actor.Agent, decision, inputs).Reasons).Kind);

        var decided = journey.Fire(Actor.Supervisor, decision, inputs);

        Assert.Equal(resolvedState, journey.State);
        Assert.Equal(outcome, decided.Effects.OutcomeSet());
    }

    private static (string, string)[] DecisionInputs(string decision) => decision switch
    {
        "supervisor-partial-refund" => [("amount", "3000")],
        "supervisor-decline" => [("reason", "the contract clause was signed and notified")],
        _ => [],
    };

    [Fact]
    public void A_supervisor_must_give_a_reason_to_decline()
    {
        var journey = Negotiating();
        journey.Fire(Actor.Agent, "escalate");

        var result = journey.TryFire(Actor.Supervisor, "supervisor-decline");

        Assert.False(result.Succeeded);
        var reason = Assert.Single(result.Reasons);
        Assert.Equal((BlockKind.MissingInput, "reason"), (reason.Kind, reason.Code));
    }

    [Fact]
    public void Rejecting_an_offer_that_is_not_final_returns_to_negotiation()
    {
        var journey = Negotiating();
        journey.ProposeOffer(Actor.Agent, "partial-refund", 5_000);

        var result = journey.Fire(Actor.Customer, "reject");

        Assert.Equal("negotiating", journey.State);
        Assert.Contains(new FollowUpsCancelled("offer-pending"), result.Effects);
        Assert.Empty(journey.PendingFollowUps);
    }

    [Fact]
    public void A_counter_proposal_returns_to_negotiation_and_needs_an_amount()
    {
        var journey = Negotiating();
        journey.ProposeOffer(Actor.Agent, "partial-refund", 5_000);

        var noAmount = journey.TryFire(Actor.Customer, "counter", ("note", "refund it all"));
        Assert.Equal("counterAmount", Assert.Single(noAmount.Reasons).Code);
        journey.Fire(Actor.Customer, "counter", ("counterAmount", "9900"), ("note", "refund it all"));

        Assert.Equal("negotiating", journey.State);
    }

    [Fact]
    public void An_unanswered_offer_is_reminded_once_then_expires_after_three_days()
    {
        var journey = Negotiating();
        journey.ProposeOffer(Actor.Agent, "waive-next-year", 9_900);

        var expired = journey.WaitForFollowUp("offer-expired");

        Assert.Equal("negotiating", journey.State);
        Assert.Equal(CaseJourney.Opened.AddDays(3), journey.Now);
        Assert.Null(expired.Effects.OutcomeSet());
        Assert.False(journey.TryFire(Actor.Customer, "offer-expired").Succeeded);
    }

    [Fact]
    public void Closes_as_abandoned_when_the_merchant_never_sends_the_evidence()
    {
        var journey = CaseJourney.Open(Workflow, new CaseFacts { Contract = NoClause });
        journey.Fire(Actor.System, "contract-found");
        journey.AcceptEvidence("business-licence");

        var reminder = journey.Reminder("evidence-missing");
        Assert.Equal(CaseJourney.Opened.AddDays(1), reminder.DueAt);
        Assert.Equal((3, TimeSpan.FromDays(1)), (reminder.FollowUp.Repeat, reminder.FollowUp.Every));
        var blocked = journey.Action(Actor.Agent, "evidence-complete");
        Assert.False(blocked.Allowed);
        Assert.Equal("evidence.complete", Assert.Single(blocked.Reasons).Code);
        Assert.False(journey.TryFire(Actor.Agent, "evidence-timed-out").Succeeded);

        var abandoned = journey.WaitForFollowUp("evidence-timed-out");

        Assert.Equal("closed", journey.State);
        Assert.Equal(CaseJourney.Opened.AddDays(7), journey.Now);
        Assert.Equal("abandoned", abandoned.Effects.OutcomeSet());
        Assert.Equal(["case-closed"], abandoned.Effects.MessagesTo(Recipient.Merchant));
        Assert.Empty(journey.PendingFollowUps);
    }

    [Fact]
    public void A_merchant_who_gives_up_can_switch_terminals_which_opens_a_device_case()
    {
        var journey = Negotiating();

        var result = journey.Fire(Actor.Customer, "switch-pos");

        Assert.Equal("switched-to-device-case", journey.State);
        Assert.Equal(StateKind.Final, result.Effects.Entered().Kind);
        Assert.Equal("withdrawn", result.Effects.OutcomeSet());
        Assert.Equal(["case.open-device-replacement"], result.Effects.Actions());
        Assert.Equal(["switched-to-device-case"], result.Effects.MessagesTo(Recipient.Merchant));
    }

    [Fact]
    public void A_merchant_can_withdraw_while_evidence_is_being_collected()
    {
        var journey = CaseJourney.Open(Workflow, new CaseFacts { Contract = NoClause });
        journey.Fire(Actor.System, "contract-found");

        var result = journey.Fire(Actor.Customer, "withdraw", ("reason", "the fee was refunded by my bank"));

        Assert.Equal("closed", journey.State);
        Assert.Equal("withdrawn", result.Effects.OutcomeSet());
        Assert.Contains(new FollowUpsCancelled("collecting-evidence"), result.Effects);
        Assert.Empty(journey.PendingFollowUps);
    }

    [Fact]
    public void A_breached_SLA_escalates_the_case_as_the_system_without_any_input()
    {
        var journey = AtAssessment(ClauseNotified, new DateOnly(2026, 9, 1));

        var result = journey.Fire(Actor.System, "escalate");

        Assert.Equal("escalated", journey.State);
        Assert.Equal(["supervisor.queue"], result.Effects.Actions());
        Assert.DoesNotContain(journey.Actions(Actor.System), a => a.Trigger == "escalate");
    }

    [Fact]
    public void A_supervisor_can_send_an_escalated_case_back_to_negotiation()
    {
        var journey = Negotiating();
        journey.Fire(Actor.Agent, "escalate", ("reason", "merchant threatens a complaint to the regulator hotline"));

        journey.Fire(Actor.Supervisor, "return-to-negotiation");

        Assert.Equal("negotiating", journey.State);
    }

    [Fact]
    public void A_resolved_case_reopens_into_negotiation_and_its_outcome_no_longer_stands()
    {
        var journey = AtAssessment(NoClause, new DateOnly(2026, 1, 5));
        journey.Fire(Actor.Agent, "assess");
        journey.Now = CaseJourney.Opened.AddDays(2);

        var reopened = journey.Fire(Actor.Customer, "reopen", ("reason", "the refund never arrived"));

        Assert.Equal("negotiating", journey.State);
        Assert.Contains(new OutcomeCleared(), reopened.Effects);
        Assert.Null(journey.Outcome);
        Assert.Contains(new FollowUpsCancelled("resolved-refund"), reopened.Effects);
        Assert.Empty(journey.PendingFollowUps);
    }

    [Fact]
    public void A_resolved_case_offers_only_closing_and_reopening()
    {
        var journey = AtAssessment(NoClause, new DateOnly(2026, 1, 5));
        journey.Fire(Actor.Agent, "assess");

        Assert.Equal(["close", "reopen"], journey.Actions(Actor.Agent).Select(a => a.Trigger));
    }
}
