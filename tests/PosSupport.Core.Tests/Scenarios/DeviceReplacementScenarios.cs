using PosSupport.Core.Workflows;

namespace PosSupport.Core.Tests.Scenarios;

/// <summary>Faulty-device replacement cases (机具故障换机) walked through workflows/device-replacement.v1.json.</summary>
public class DeviceReplacementScenarios
{
    private const string Workflow = "device-replacement";
    private static readonly string[] Photos = ["device-photo", "screen-photo", "sn-label-photo"];
    private static readonly ContractFacts TwelveMonthWarranty = new() { WarrantyMonths = 12, ReplacementFeeFen = 20_000 };
    private static readonly DeviceFacts InWarranty = new() { ActivatedOn = new DateOnly(2026, 3, 1) };
    private static readonly DeviceFacts OutOfWarranty = new() { ActivatedOn = new DateOnly(2024, 3, 1) };

    /// <summary>A case past troubleshooting and evidence, its contract on file, waiting for the warranty decision.</summary>
    private static CaseJourney AtWarrantyCheck(DeviceFacts device)
    {
        var journey = CaseJourney.Open(Workflow, new CaseFacts { Device = device });
        journey.Fire(Actor.System, "start-troubleshooting");
        journey.Fire(Actor.Customer, "still-faulty");
        journey.AcceptEvidence(Photos);
        journey.Fire(Actor.Agent, "evidence-complete");
        Assert.Equal("checking-warranty", journey.State);
        journey.Facts = journey.Facts with { Contract = TwelveMonthWarranty };
        return journey;
    }

    private static CaseJourney FeeQuoted()
    {
        var journey = AtWarrantyCheck(OutOfWarranty);
        journey.Fire(Actor.System, "decide");
        Assert.Equal("fee-quoted", journey.State);
        return journey;
    }

    /// <summary>Ships, delivers and activates the replacement: the case then waits for the old unit.</summary>
    private static void ShipDeliverActivate(CaseJourney journey)
    {
        Assert.Equal("preparing-shipment", journey.State);
        journey.Fire(Actor.System, "shipped", ("trackingNumber", "SF1234567890"), ("replacementSerial", "N910-00042"));
        journey.Fire(Actor.Customer, "delivered");
        journey.Fire(Actor.Agent, "activated");
        Assert.Equal("awaiting-return", journey.State);
    }

    [Fact]
    public void Ends_when_the_remote_troubleshooting_checklist_fixes_the_terminal()
    {
        var journey = CaseJourney.Open(Workflow);
        Assert.Equal("intake", journey.State);
        Assert.Equal(["case-received"], journey.LastEffects.MessagesTo(Recipient.Merchant));

        var checklist = journey.Fire(Actor.Agent, "start-troubleshooting");

        Assert.Equal("remote-troubleshooting", journey.State);
        Assert.Equal(StateKind.WaitingOnMerchant, checklist.Effects.Entered().Kind);
        Assert.Equal(["troubleshooting-checklist"], checklist.Effects.MessagesTo(Recipient.Merchant));
        Assert.Equal(CaseJourney.Opened.AddDays(1), journey.Reminder("troubleshooting-reminder").DueAt);
        Assert.Equal(CaseJourney.Opened.AddDays(5), journey.FollowUpFiring("no-reply").DueAt);

        var fixedRemotely = journey.Fire(Actor.Customer, "fixed-remotely");

        Assert.Equal("resolved", journey.State);
        Assert.Equal("fixed_remotely", fixedRemotely.Effects.OutcomeSet());
        Assert.Equal(["case-resolved"], fixedRemotely.Effects.MessagesTo(Recipient.Merchant));
        Assert.Equal(CaseJourney.Opened.AddDays(7), journey.FollowUpFiring("close").DueAt);

        journey.WaitForFollowUp("close");

        Assert.Equal("closed", journey.State);
        Assert.Equal("fixed_remotely", journey.Outcome);
    }

    [Fact]
    public void Closes_as_abandoned_when_the_merchant_stops_replying_during_troubleshooting()
    {
        var journey = CaseJourney.Open(Workflow);
        journey.Fire(Actor.System, "start-troubleshooting");

        var result = journey.WaitForFollowUp("no-reply");

        Assert.Equal("closed", journey.State);
        Assert.Equal("abandoned", result.Effects.OutcomeSet());
    }

    [Fact]
    public void Replaces_the_terminal_free_of_charge_when_it_is_in_warranty_and_undamaged()
    {
        var journey = CaseJourney.Open(Workflow, new CaseFacts { Device = InWarranty });
        journey.Fire(Actor.System, "start-troubleshooting");

        var evidence = journey.Fire(Actor.Customer, "still-faulty");

        Assert.Equal("collecting-evidence", journey.State);
        Assert.Equal(Photos, evidence.Effects.RequestedEvidence());
        Assert.Contains(new FollowUpsCancelled("remote-troubleshooting"), evidence.Effects);
        Assert.Equal(CaseJourney.Opened.AddDays(1), journey.Reminder("evidence-missing").DueAt);
        Assert.Equal(CaseJourney.Opened.AddDays(7), journey.FollowUpFiring("evidence-timed-out").DueAt);

        journey.AcceptEvidence(Photos);
        var warranty = journey.Fire(Actor.System, "evidence-complete");

        Assert.Equal("checking-warranty", journey.State);
        Assert.Equal(["contract.lookup"], warranty.Effects.Actions());
        var decide = journey.Action(Actor.Agent, "decide");
        Assert.False(decide.Allowed);
        Assert.Contains(decide.Reasons, r => r.Code == "contract.known");

        journey.Facts = journey.Facts with { Contract = TwelveMonthWarranty };
        var shipping = journey.Fire(Actor.Agent, "decide");

        Assert.Equal("preparing-shipment", journey.State);
        Assert.Equal(["device.ship-replacement"], shipping.Effects.Actions());
        Assert.False(journey.TryFire(Actor.System, "shipped", ("replacementSerial", "N910-00042")).Succeeded);

        journey.Now = CaseJourney.Opened.AddHours(6);
        var shipped = journey.Fire(Actor.System, "shipped", ("trackingNumber", "SF1234567890"), ("replacementSerial", "N910-00042"));

        Assert.Equal("awaiting-delivery", journey.State);
        Assert.Equal(["replacement-shipped"], shipped.Effects.MessagesTo(Recipient.Merchant));
        var deliveryCheck = journey.Reminder("delivery-check");
        Assert.Equal(CaseJourney.Opened.AddHours(6).AddDays(2), deliveryCheck.DueAt);
        Assert.Equal((2, TimeSpan.FromDays(1)), (deliveryCheck.FollowUp.Repeat, deliveryCheck.FollowUp.Every));
        Assert.Equal(CaseJourney.Opened.AddHours(6).AddDays(7), journey.FollowUpFiring("delivery-overdue").DueAt);

        var activating = journey.Fire(Actor.System, "delivered");

        Assert.Equal("activating", journey.State);
        Assert.Equal(["device.bind-replacement"], activating.Effects.Actions());

        var returning = journey.Fire(Actor.Agent, "activated");

        Assert.Equal("awaiting-return", journey.State);
        Assert.Equal(["return-instructions"], returning.Effects.MessagesTo(Recipient.Merchant));

        var resolved = journey.Fire(Actor.Agent, "old-unit-received");

        Assert.Equal("resolved", journey.State);
        Assert.Equal("replaced_free", resolved.Effects.OutcomeSet());
        Assert.Contains(new FollowUpsCancelled("awaiting-return"), resolved.Effects);
    }

    [Fact]
    public void Quotes_a_fee_when_an_in_warranty_terminal_is_physically_damaged_and_replaces_it_for_that_fee()
    {
        var journey = AtWarrantyCheck(InWarranty with { PhysicalDamage = true });

        var quote = journey.Fire(Actor.System, "decide");

        Assert.Equal("fee-quoted", journey.State);
        Assert.Equal(["fee-quote"], quote.Effects.MessagesTo(Recipient.Merchant));
        Assert.Equal(CaseJourney.Opened.AddDays(1), journey.Reminder("fee-quote-reminder").DueAt);
        Assert.Equal(CaseJourney.Opened.AddDays(5), journey.FollowUpFiring("quote-expired").DueAt);

        journey.Fire(Actor.Customer, "accept-fee");
        journey.Facts = journey.Facts with { AgreedReplacementFeeFen = TwelveMonthWarranty.ReplacementFeeFen };
        ShipDeliverActivate(journey);
        var resolved = journey.Fire(Actor.System, "old-unit-received");

        Assert.Equal("replaced_with_fee", resolved.Effects.OutcomeSet());
    }

    [Fact]
    public void Negotiates_a_disputed_out_of_warranty_fee_and_replaces_the_terminal_for_the_reduced_fee()
    {
        var journey = FeeQuoted();

        journey.Fire(Actor.Customer, "dispute-fee", ("reason", "the terminal is only two years old"));
        Assert.Equal("negotiating", journey.State);
        var offered = journey.ProposeOffer(Actor.Agent, "reduce", 10_000);

        Assert.Equal("offer-pending", journey.State);
        Assert.Equal(["offer-made"], offered.Effects.MessagesTo(Recipient.Merchant));
        Assert.Equal(CaseJourney.Opened.AddDays(3), journey.FollowUpFiring("offer-expired").DueAt);

        journey.Fire(Actor.Customer, "accept-offer");
        journey.Facts = journey.Facts with { AgreedReplacementFeeFen = 10_000 };
        ShipDeliverActivate(journey);
        var resolved = journey.Fire(Actor.Agent, "old-unit-received");

        Assert.Equal("resolved", journey.State);
        Assert.Equal("replaced_with_fee", resolved.Effects.OutcomeSet());
    }

    [Fact]
    public void A_fee_waived_in_full_after_a_supervisors_approval_makes_the_replacement_free()
    {
        var journey = FeeQuoted();
        journey.Fire(Actor.Customer, "dispute-fee");

        journey.ProposeOffer(Actor.Agent, "waive", 20_000);
        Assert.Equal("awaiting-approval", journey.State);
        journey.Fire(Actor.Supervisor, "approve-offer");
        journey.Fire(Actor.Customer, "accept-offer");
        ShipDeliverActivate(journey);
        var resolved = journey.Fire(Actor.Agent, "old-unit-received");

        Assert.Equal("replaced_free", resolved.Effects.OutcomeSet());
    }

    [Fact]
    public void Rejecting_the_final_fee_offer_escalates_and_a_supervisor_can_approve_the_replacement()
    {
        var journey = FeeQuoted();
        journey.Fire(Actor.Customer, "dispute-fee");
        journey.ProposeOffer(Actor.Agent, "split", 5_000, final: true);

        var escalated = journey.Fire(Actor.Customer, "reject");

        Assert.Equal("escalated", journey.State);
        Assert.Equal(["supervisor.queue"], escalated.Effects.Actions());
        journey.Fire(Actor.Supervisor, "approve-replacement");
        Assert.Equal("preparing-shipment", journey.State);
    }

    [Fact]
    public void Rejecting_a_fee_offer_that_is_not_final_returns_to_negotiation()
    {
        var journey = FeeQuoted();
        journey.Fire(Actor.Customer, "dispute-fee");
        journey.ProposeOffer(Actor.Agent, "reduce", 5_000);

        journey.Fire(Actor.Customer, "reject");

        Assert.Equal("negotiating", journey.State);
    }

    [Theory]
    [InlineData("fee-quoted")]
    [InlineData("offer-pending")]
    public void Declining_the_fee_closes_the_case_as_declined(string where)
    {
        var journey = FeeQuoted();
        if (where == "offer-pending")
        {
            journey.Fire(Actor.Customer, "dispute-fee");
            journey.ProposeOffer(Actor.Agent, "reduce", 5_000);
        }

        var result = journey.Fire(Actor.Customer, "decline-fee", ("reason", "I will buy a new terminal myself"));

        Assert.Equal("closed", journey.State);
        Assert.Equal("declined", result.Effects.OutcomeSet());
        Assert.Empty(journey.PendingFollowUps);
    }

    [Fact]
    public void A_supervisor_can_decline_an_escalated_replacement_with_a_reason()
    {
        var journey = FeeQuoted();
        journey.Fire(Actor.Agent, "escalate", ("reason", "merchant refuses any fee"));

        var result = journey.Fire(Actor.Supervisor, "decline-replacement", ("reason", "damage caused by liquid"));

        Assert.Equal("closed", journey.State);
        Assert.Equal("declined", result.Effects.OutcomeSet());
    }

    [Fact]
    public void An_unanswered_fee_quote_expires_and_the_case_is_abandoned()
    {
        var journey = FeeQuoted();

        var result = journey.WaitForFollowUp("quote-expired");

        Assert.Equal(CaseJourney.Opened.AddDays(5), journey.Now);
        Assert.Equal("closed", journey.State);
        Assert.Equal("abandoned", result.Effects.OutcomeSet());
    }

    [Fact]
    public void Closes_as_abandoned_when_the_photos_never_come()
    {
        var journey = CaseJourney.Open(Workflow);
        journey.Fire(Actor.System, "start-troubleshooting");
        journey.Fire(Actor.Customer, "still-faulty");
        journey.AcceptEvidence("device-photo");

        var result = journey.WaitForFollowUp("evidence-timed-out");

        Assert.Equal("closed", journey.State);
        Assert.Equal("abandoned", result.Effects.OutcomeSet());
    }

    [Fact]
    public void An_old_unit_that_is_never_returned_is_reminded_then_handed_to_the_agent_and_written_off_by_a_supervisor()
    {
        var journey = AtWarrantyCheck(InWarranty);
        journey.Fire(Actor.System, "decide");
        ShipDeliverActivate(journey);

        var reminder = journey.Reminder("return-reminder");
        Assert.Equal(CaseJourney.Opened.AddDays(3), reminder.DueAt);
        Assert.Equal((3, TimeSpan.FromDays(3)), (reminder.FollowUp.Repeat, reminder.FollowUp.Every));
        Assert.Equal(CaseJourney.Opened.AddDays(14), journey.FollowUpFiring("return-overdue").DueAt);
        Assert.DoesNotContain(journey.Actions(Actor.Agent), a => a.Trigger is "escalate" or "withdraw");

        var overdue = journey.WaitForFollowUp("return-overdue");

        Assert.Equal("return-overdue", journey.State);
        Assert.Equal(StateKind.Active, overdue.Effects.Entered().Kind);
        Assert.Equal(["return-overdue"], overdue.Effects.MessagesTo(Recipient.Assignee));
        Assert.Empty(journey.PendingFollowUps);
        Assert.Equal(BlockKind.WrongActor, Assert.Single(journey.TryFire(Actor.Agent, "write-off-old-unit").Reasons).Kind);

        var resolved = journey.Fire(Actor.Supervisor, "write-off-old-unit");

        Assert.Equal("resolved", journey.State);
        Assert.Equal("replaced_free", resolved.Effects.OutcomeSet());
    }

    [Fact]
    public void An_overdue_old_unit_that_finally_arrives_resolves_the_case()
    {
        var journey = FeeQuoted();
        journey.Fire(Actor.Customer, "accept-fee");
        journey.Facts = journey.Facts with { AgreedReplacementFeeFen = 20_000 };
        ShipDeliverActivate(journey);
        journey.WaitForFollowUp("return-overdue");

        var resolved = journey.Fire(Actor.Agent, "old-unit-received");

        Assert.Equal("replaced_with_fee", resolved.Effects.OutcomeSet());
    }

    [Fact]
    public void A_delivery_that_never_arrives_escalates_and_a_supervisor_can_ship_again()
    {
        var journey = AtWarrantyCheck(InWarranty);
        journey.Fire(Actor.System, "decide");
        journey.Fire(Actor.System, "shipped", ("trackingNumber", "SF1234567890"), ("replacementSerial", "N910-00042"));
        Assert.DoesNotContain(journey.Actions(Actor.Customer), a => a.Trigger == "withdraw");

        var escalated = journey.WaitForFollowUp("delivery-overdue");

        Assert.Equal("escalated", journey.State);
        Assert.Equal(["case-escalated"], escalated.Effects.MessagesTo(Recipient.Assignee));
        var reship = journey.Fire(Actor.Supervisor, "approve-replacement");
        Assert.Equal(["device.ship-replacement"], reship.Effects.Actions());
    }

    [Fact]
    public void A_replacement_can_be_picked_up_at_a_store_instead_of_shipped()
    {
        var journey = AtWarrantyCheck(InWarranty);
        journey.Fire(Actor.System, "decide");

        var pickup = journey.Fire(Actor.Agent, "pickup-arranged", ("store", "Xuhui service point"), ("replacementSerial", "N910-00042"));

        Assert.Equal("awaiting-pickup", journey.State);
        Assert.Equal(["ready-for-pickup"], pickup.Effects.MessagesTo(Recipient.Merchant));
        Assert.Equal(CaseJourney.Opened.AddDays(2), journey.Reminder("pickup-reminder").DueAt);
        Assert.Equal(CaseJourney.Opened.AddDays(10), journey.FollowUpFiring("pickup-overdue").DueAt);

        var activating = journey.Fire(Actor.Customer, "picked-up");

        Assert.Equal("activating", journey.State);
        Assert.Equal(["device.bind-replacement"], activating.Effects.Actions());
    }

    [Fact]
    public void A_merchant_can_withdraw_before_the_replacement_ships()
    {
        var journey = FeeQuoted();

        var result = journey.Fire(Actor.Customer, "withdraw");

        Assert.Equal("closed", journey.State);
        Assert.Equal("withdrawn", result.Effects.OutcomeSet());
    }

    [Fact]
    public void A_resolved_case_reopens_into_troubleshooting_when_the_fault_comes_back()
    {
        var journey = CaseJourney.Open(Workflow);
        journey.Fire(Actor.System, "start-troubleshooting");
        journey.Fire(Actor.Customer, "fixed-remotely");

        var reopened = journey.Fire(Actor.Customer, "reopen", ("reason", "card reader fails again"));

        Assert.Equal("remote-troubleshooting", journey.State);
        Assert.Contains(new OutcomeCleared(), reopened.Effects);
        Assert.Equal(["troubleshooting-checklist"], reopened.Effects.MessagesTo(Recipient.Merchant));
        Assert.Null(journey.Outcome);
    }

    [Fact]
    public void A_breached_first_response_SLA_escalates_a_case_still_in_intake()
    {
        var journey = CaseJourney.Open(Workflow);

        journey.Fire(Actor.System, "escalate");

        Assert.Equal("escalated", journey.State);
    }
}
