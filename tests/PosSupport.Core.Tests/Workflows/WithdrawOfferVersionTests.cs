using PosSupport.Core.Workflows;

namespace PosSupport.Core.Tests.Workflows;

/// <summary>Version 2 of each shipped workflow is version 1 plus the staff's withdraw-offer step from each offer state.</summary>
public class WithdrawOfferVersionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
    private static readonly WorkflowEngine Engine = new(RandomCases.ShippedWorkflows);

    public static TheoryData<string> Workflows() => new(RandomCases.ShippedWorkflows.All.Select(d => d.Id).Distinct());

    private static string Describe(TransitionDefinition t) =>
        $"{t.From} --{t.Trigger}[{string.Join(",", t.When)}]/{string.Join(",", t.By)}--> {t.To} {t.Outcome} {string.Join(",", t.Effects.Select(e => e.Name + ":" + e.Template))}";

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Version_2_changes_nothing_of_version_1_but_add_withdraw_offer_and_its_message(string id)
    {
        var v1 = RandomCases.ShippedWorkflows.Get(id, 1);
        var v2 = RandomCases.ShippedWorkflows.Get(id, 2);
        Assert.True(RandomCases.ShippedWorkflows.TryGetNewest(id, out var newest) && newest == v2, "new cases open on version 2");

        Assert.Equal(v1.States.Select(s => (s.Name, s.Kind, s.Title)), v2.States.Select(s => (s.Name, s.Kind, s.Title)));
        Assert.Equal(v1.States.SelectMany(s => s.Transitions).Select(Describe),
            v2.States.SelectMany(s => s.Transitions).Where(t => t.Trigger != "withdraw-offer").Select(Describe));
        Assert.Equal(v1.States.Select(s => (s.Name, s.OnEntry.Count, s.FollowUps.Count)), v2.States.Select(s => (s.Name, s.OnEntry.Count, s.FollowUps.Count)));
        Assert.Equal(v1.Messages.Keys.Append("offer-withdrawn").Order(), v2.Messages.Keys.Order());
        Assert.Equal(v1.Sla.FirstResponse, v2.Sla.FirstResponse);
        Assert.Equal(v1.Sla.Resolution, v2.Sla.Resolution);
        Assert.Equal((v1.Sla.WarnAtFraction, v1.CaseNumberPrefix, v1.InitialState), (v2.Sla.WarnAtFraction, v2.CaseNumberPrefix, v2.InitialState));
        Assert.Equal(v1.Outcomes, v2.Outcomes);

        var withdrawals = v2.States.SelectMany(s => s.Transitions).Where(t => t.Trigger == "withdraw-offer").OrderBy(t => t.From).ToList();
        Assert.Equal(["awaiting-approval --withdraw-offer[]/Agent,Supervisor--> negotiating  ",
                      "offer-pending --withdraw-offer[]/Agent,Supervisor--> negotiating  merchant.notify:offer-withdrawn"], withdrawals.Select(Describe));
        Assert.Contains("{offerSummary}", v2.Messages["offer-withdrawn"].En, StringComparison.Ordinal);
        Assert.Contains("{offerSummary}", v2.Messages["offer-withdrawn"].ZhCn, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Withdrawing_a_shown_offer_tells_the_merchant_and_cancels_its_follow_ups_and_an_unseen_one_says_nothing(string id)
    {
        var fromPending = Engine.Fire(new CaseSnapshot(id, 2, "offer-pending", 1, Now, CaseFacts.Empty), Actor.Agent, "withdraw-offer");
        var fromApproval = Engine.Fire(new CaseSnapshot(id, 2, "awaiting-approval", 1, Now, CaseFacts.Empty), Actor.Supervisor, "withdraw-offer");
        var byMerchant = Engine.Fire(new CaseSnapshot(id, 2, "offer-pending", 1, Now, CaseFacts.Empty), Actor.Customer, "withdraw-offer");
        var onVersion1 = Engine.Fire(new CaseSnapshot(id, 1, "offer-pending", 1, Now, CaseFacts.Empty), Actor.Agent, "withdraw-offer");

        Assert.Equal("negotiating", fromPending.Transition!.To);
        Assert.Contains(new FollowUpsCancelled("offer-pending"), fromPending.Effects);
        Assert.Equal(new MessageRequested(Recipient.Merchant, "offer-withdrawn"), fromPending.Effects[^1]);
        Assert.Equal("negotiating", fromApproval.Transition!.To);
        Assert.DoesNotContain(fromApproval.Effects, e => e is MessageRequested { To: Recipient.Merchant });
        Assert.Equal(BlockKind.WrongActor, Assert.Single(byMerchant.Reasons).Kind);
        Assert.Equal(BlockKind.UnknownTrigger, Assert.Single(onVersion1.Reasons).Kind);
    }
}
