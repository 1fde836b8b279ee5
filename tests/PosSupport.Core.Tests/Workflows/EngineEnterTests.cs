using PosSupport.Core.Workflows;

namespace PosSupport.Core.Tests.Workflows;

public class EngineEnterTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
    private static readonly WorkflowEngine Engine = new(RandomCases.ShippedWorkflows);
    private static WorkflowDefinition DataFee => RandomCases.ShippedWorkflows.Get("data-fee-cancellation", 1);

    [Fact]
    public void Entering_a_state_yields_its_entry_effects_with_follow_ups_due_from_now()
    {
        var effects = Engine.Enter(DataFee, "collecting-evidence", Now);

        var entered = Assert.IsType<StateEntered>(effects[0]);
        Assert.Equal(("collecting-evidence", StateKind.WaitingOnMerchant, "收集证据材料"), (entered.State, entered.Kind, entered.Title.ZhCn));
        Assert.Equal(["business-licence", "transaction-records", "settlement-statement"], Assert.Single(effects.OfType<EvidenceRequested>()).Types);
        Assert.Equal([("evidence-missing", Now.AddDays(1)), ("evidence-timed-out", Now.AddDays(7))],
            effects.OfType<FollowUpScheduled>().Select(f => (f.FollowUp.Remind ?? f.FollowUp.Fire!, f.DueAt)));
        Assert.DoesNotContain(effects, e => e is StateExited or FollowUpsCancelled or OutcomeSet);
    }

    [Fact]
    public void Entering_the_initial_state_yields_what_starting_a_case_does()
    {
        var start = Engine.Start("data-fee-cancellation", Now);

        Assert.Equal(start.Effects, Engine.Enter(start.Workflow, start.State, Now));
    }

    [Fact]
    public void Entering_needs_a_known_state_of_a_definition_the_engine_loaded()
    {
        var stranger = MiniWorkflow.Load(MiniWorkflow.Node()).Catalog!.All.Single();

        Assert.Throws<UnknownStateException>(() => Engine.Enter(DataFee, "limbo", Now));
        Assert.Throws<ArgumentException>(() => Engine.Enter(stranger, stranger.InitialState, Now));
    }
}
