using PosSupport.Core.Workflows;

namespace PosSupport.Core.Tests.Scenarios;

/// <summary>
/// Fee-rate disputes (手续费率争议) walked through workflows/fee-rate-dispute.v1.json: a third kind of case made
/// of nothing but the guards, effects and evidence types the engine already has.
/// </summary>
public class FeeRateDisputeScenarios
{
    private const string Workflow = "fee-rate-dispute";
    private static readonly string[] RequiredEvidence = ["transaction-records", "settlement-statement"];
    /// <summary>A convenience store contracted at 0.38%.</summary>
    private static readonly ContractFacts ConvenienceStore = new() { FeeRateBp = 38 };

    private static CaseJourney AtAssessment(int chargedRateBp)
    {
        var journey = CaseJourney.Open(Workflow, new CaseFacts { Contract = ConvenienceStore, ChargedRateBp = chargedRateBp });
        journey.Fire(Actor.System, "contract-found");
        journey.AcceptEvidence(RequiredEvidence);
        journey.Fire(Actor.System, "evidence-complete");
        Assert.Equal("assessing", journey.State);
        return journey;
    }

    private static CaseJourney Negotiating()
    {
        var journey = AtAssessment(chargedRateBp: 60);
        journey.Fire(Actor.Agent, "assess");
        Assert.Equal("negotiating", journey.State);
        return journey;
    }

    [Fact]
    public void Asks_only_for_transaction_records_and_the_settlement_statement()
    {
        var journey = CaseJourney.Open(Workflow, new CaseFacts { Contract = ConvenienceStore });
        Assert.Equal(["contract.lookup"], journey.LastEffects.Actions());

        var evidence = journey.Fire(Actor.System, "contract-found");

        Assert.Equal(RequiredEvidence, evidence.Effects.RequestedEvidence());
        Assert.Equal(CaseJourney.Opened.AddDays(1), journey.Reminder("evidence-missing").DueAt);
    }

    [Fact]
    public void Confirms_the_rate_when_the_charged_rate_matches_the_contract()
    {
        var journey = AtAssessment(chargedRateBp: 38);

        var result = journey.Fire(Actor.Agent, "assess");

        Assert.Equal("rate-confirmed", journey.State);
        Assert.Equal("rate_confirmed", result.Effects.OutcomeSet());
        Assert.Equal(["rate-confirmed"], result.Effects.MessagesTo(Recipient.Merchant));
        Assert.Empty(result.Effects.Actions());

        journey.WaitForFollowUp("close");

        Assert.Equal("closed", journey.State);
        Assert.Equal("rate_confirmed", journey.Outcome);
    }

    [Fact]
    public void A_merchant_who_disputes_the_confirmed_rate_reopens_the_case_to_a_supervisor()
    {
        var journey = AtAssessment(chargedRateBp: 38);
        journey.Fire(Actor.Agent, "assess");

        var reopened = journey.Fire(Actor.Customer, "reopen", ("reason", "my statement shows 0.6%"));

        Assert.Equal("escalated", journey.State);
        Assert.Contains(new OutcomeCleared(), reopened.Effects);
        Assert.Equal(["supervisor.queue"], reopened.Effects.Actions());
    }

    [Fact]
    public void Refunds_the_overcharged_difference_when_the_merchant_accepts_the_offer()
    {
        var journey = Negotiating();

        journey.ProposeOffer(Actor.Agent, "refund-difference", 8_800);
        Assert.Equal("offer-pending", journey.State);
        var result = journey.Fire(Actor.Customer, "accept-refund");

        Assert.Equal("resolved-refund", journey.State);
        Assert.Equal("refunded", result.Effects.OutcomeSet());
        Assert.Equal(["refund.instruct"], result.Effects.Actions());
        Assert.Equal(["refund-resolved"], result.Effects.MessagesTo(Recipient.Merchant));
    }

    [Theory]
    [InlineData("partial-refund", "accept-partial-refund", "resolved-refund", "partially_refunded")]
    [InlineData("points-credit", "accept-points-credit", "resolved", "points_credited")]
    public void Accepting_other_offers_resolves_with_their_outcome(string kind, string accept, string resolvedState, string outcome)
    {
        var journey = Negotiating();
        journey.ProposeOffer(Actor.Agent, kind, 4_000);

        var result = journey.Fire(Actor.Customer, accept);

        Assert.Equal(resolvedState, journey.State);
        Assert.Equal(outcome, result.Effects.OutcomeSet());
    }

    [Fact]
    public void A_refund_above_the_agents_authority_needs_a_supervisors_approval()
    {
        var journey = Negotiating();

        journey.ProposeOffer(Actor.Agent, "refund-difference", 250_000);

        Assert.Equal("awaiting-approval", journey.State);
        journey.Fire(Actor.Supervisor, "approve-offer");
        Assert.Equal("offer-pending", journey.State);
    }

    [Theory]
    [InlineData("supervisor-refund", "resolved-refund", "refunded")]
    [InlineData("supervisor-partial-refund", "resolved-refund", "partially_refunded")]
    [InlineData("supervisor-decline", "resolved", "declined")]
    public void Rejecting_the_final_offer_escalates_to_a_supervisor_who_decides(string decision, string resolvedState, string outcome)
    {
        var journey = Negotiating();
        journey.ProposeOffer(Actor.Agent, "partial-refund", 4_000, final: true);
        journey.Fire(Actor.Customer, "reject");
        Assert.Equal("escalated", journey.State);

        (string, string)[] inputs = decision switch
        {
            "supervisor-partial-refund" => [("amount", "6000")],
            "supervisor-decline" => [("reason", "rate change was notified in the 2026 agreement")],
            _ => [],
        };
        var result = journey.Fire(Actor.Supervisor, decision, inputs);

        Assert.Equal(resolvedState, journey.State);
        Assert.Equal(outcome, result.Effects.OutcomeSet());
    }

    [Fact]
    public void An_unanswered_offer_expires_back_into_negotiation()
    {
        var journey = Negotiating();
        journey.ProposeOffer(Actor.Agent, "refund-difference", 8_800);

        journey.WaitForFollowUp("offer-expired");

        Assert.Equal("negotiating", journey.State);
    }

    [Fact]
    public void Closes_as_abandoned_when_the_transaction_records_never_come()
    {
        var journey = CaseJourney.Open(Workflow, new CaseFacts { Contract = ConvenienceStore });
        journey.Fire(Actor.System, "contract-found");

        var result = journey.WaitForFollowUp("evidence-timed-out");

        Assert.Equal("closed", journey.State);
        Assert.Equal("abandoned", result.Effects.OutcomeSet());
    }

    [Fact]
    public void A_merchant_can_withdraw_during_negotiation()
    {
        var journey = Negotiating();

        var result = journey.Fire(Actor.Customer, "withdraw");

        Assert.Equal("closed", journey.State);
        Assert.Equal("withdrawn", result.Effects.OutcomeSet());
    }

    [Fact]
    public void Needs_no_engine_change_every_name_it_uses_is_already_in_the_catalogs()
    {
        var workflow = ShippedWorkflows.Engine.Catalog.Get(Workflow, 1);
        var guards = GuardRegistry.Default.Names.ToHashSet();

        Assert.All(workflow.States.SelectMany(s => s.Transitions).SelectMany(t => t.When), g => Assert.Contains(g.Name, guards));
        Assert.All(workflow.States.SelectMany(s => s.OnEntry), e => Assert.True(EffectCatalog.All.ContainsKey(e.Name), e.Name));
        Assert.All(workflow.States.SelectMany(s => s.RequiresEvidence), e => Assert.True(EvidenceCatalog.All.ContainsKey(e), e));
        Assert.Equal("FR", workflow.CaseNumberPrefix);
    }
}
