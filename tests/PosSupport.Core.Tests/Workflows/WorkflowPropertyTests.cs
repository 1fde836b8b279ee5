using CsCheck;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Tests.Workflows;

public class WorkflowPropertyTests
{
    private static readonly WorkflowEngine Engine = new(RandomCases.ShippedWorkflows);

    public static TheoryData<string> Workflows() => new(RandomCases.ShippedWorkflows.All.Select(d => d.Id).Distinct());

    private static readonly Gen<(int Actor, int Trigger, int FactsSeed, bool ValidInputs, int InputSeed)> Step =
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, 40], Gen.Int, Gen.Int[0, 3], Gen.Int, (a, t, f, v, i) => (a, t, f, v > 0, i));

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Random_triggers_only_take_declared_transitions_and_final_states_absorb(string workflowId)
    {
        var definition = RandomCases.ShippedWorkflows.All.Last(d => d.Id == workflowId);

        Step.Array[1, 60].Sample(steps =>
        {
            var state = definition.InitialState;
            long version = 1;
            foreach (var (actorIndex, triggerIndex, factsSeed, validInputs, inputSeed) in steps)
            {
                var actor = (Actor)actorIndex;
                var current = definition.State(state);
                var snapshot = new CaseSnapshot(definition.Id, definition.Version, state, version, RandomCases.Now, RandomCases.Facts(factsSeed));
                var triggers = current.Transitions.Select(t => t.Trigger).Distinct().ToList();
                var trigger = triggerIndex < triggers.Count ? triggers[triggerIndex] : "no-such-trigger";
                var declaredInputs = current.Transitions.Where(t => t.Trigger == trigger).SelectMany(t => t.Inputs).DistinctBy(i => i.Name);
                var random = new Random(inputSeed);
                var inputs = validInputs ? RandomCases.ValidInputs(declaredInputs, random) : RandomCases.JunkInputs(declaredInputs, random);

                var result = Engine.Fire(snapshot, actor, trigger, inputs);

                if (current.Kind == StateKind.Final)
                {
                    Assert.False(result.Succeeded, $"final state '{state}' let '{trigger}' through");
                    Assert.Empty(Engine.AllowedActions(snapshot, actor));
                    continue;
                }
                if (!result.Succeeded)
                {
                    Assert.NotEmpty(result.Reasons);
                    continue;
                }
                var taken = result.Transition!;
                Assert.Contains(taken, current.Transitions);
                Assert.Equal(state, taken.From);
                Assert.True(taken.AllowsActor(actor), $"{actor} fired '{trigger}' in '{state}' but may not");
                Assert.Equal(taken.To, result.Effects.OfType<StateEntered>().Single().State);
                state = taken.To;
                version++;
            }
        }, iter: 400);
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void An_action_listed_as_allowed_fires_with_valid_inputs_and_a_blocked_one_does_not(string workflowId)
    {
        var definition = RandomCases.ShippedWorkflows.All.Last(d => d.Id == workflowId);

        Gen.Select(Gen.Int[0, definition.States.Count - 1], Gen.Int[0, 3], Gen.Int, Gen.Int).Sample((stateIndex, actorIndex, factsSeed, inputSeed) =>
        {
            var snapshot = new CaseSnapshot(definition.Id, definition.Version, definition.States[stateIndex].Name, 1, RandomCases.Now, RandomCases.Facts(factsSeed));
            var actor = (Actor)actorIndex;
            foreach (var action in Engine.AllowedActions(snapshot, actor))
            {
                var inputs = RandomCases.ValidInputs(action.Inputs, new Random(inputSeed));
                var fired = Engine.Fire(snapshot, actor, action.Trigger, inputs);
                Assert.True(action.Allowed == fired.Succeeded,
                    $"{definition.States[stateIndex].Name}/{action.Trigger} as {actor}: listed allowed={action.Allowed}, fired={fired.Succeeded} " +
                    string.Join("; ", action.Reasons.Concat(fired.Reasons).Select(r => r.Text.En)));
                if (!action.Allowed) Assert.NotEmpty(action.Reasons);
            }
        }, iter: 300);
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Every_state_is_reachable_through_the_engine_from_the_initial_state(string workflowId)
    {
        var definition = RandomCases.ShippedWorkflows.All.Last(d => d.Id == workflowId);
        var factSamples = Enumerable.Range(0, 150).Select(RandomCases.Facts).ToList();
        var random = new Random(7);

        var reached = new HashSet<string> { definition.InitialState };
        var pending = new Queue<string>([definition.InitialState]);
        while (pending.TryDequeue(out var state))
            foreach (var facts in factSamples)
                foreach (var actor in Enum.GetValues<Actor>())
                    foreach (var action in Engine.AllowedActions(new CaseSnapshot(definition.Id, definition.Version, state, 1, RandomCases.Now, facts), actor))
                    {
                        if (!action.Allowed) continue;
                        var snapshot = new CaseSnapshot(definition.Id, definition.Version, state, 1, RandomCases.Now, facts);
                        var result = Engine.Fire(snapshot, actor, action.Trigger, RandomCases.ValidInputs(action.Inputs, random));
                        if (result.Succeeded && reached.Add(result.Transition!.To)) pending.Enqueue(result.Transition.To);
                    }

        Assert.Equal(definition.States.Select(s => s.Name).Order(), reached.Order());
    }
}
