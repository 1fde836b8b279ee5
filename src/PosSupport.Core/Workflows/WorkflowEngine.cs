using Stateless;

namespace PosSupport.Core.Workflows;

/// <summary>
/// Decides what may happen to a case and what follows from it, without touching anything: given a snapshot,
/// an actor and a trigger it returns the transition and its effects as data. Definitions are compiled once;
/// a Stateless machine is built for each call and never shared, so the engine is safe to use from any thread.
/// </summary>
public sealed class WorkflowEngine
{
    private readonly WorkflowCatalog _catalog;
    private readonly Dictionary<WorkflowDefinition, Dictionary<string, CompiledState>> _compiled = new(ReferenceEqualityComparer.Instance);

    public WorkflowEngine(WorkflowCatalog catalog, GuardRegistry? guards = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _catalog = catalog;
        guards ??= GuardRegistry.Default;
        foreach (var definition in catalog.All)
            _compiled[definition] = definition.States.ToDictionary(s => s.Name, s => new CompiledState(s, guards), StringComparer.Ordinal);
    }

    public WorkflowCatalog Catalog => _catalog;

    /// <summary>Where a new case of <paramref name="workflowId"/> starts (newest version) and what entering it requires.</summary>
    public CaseStart Start(string workflowId, DateTimeOffset now)
    {
        if (!_catalog.TryGetNewest(workflowId, out var definition))
            throw new KeyNotFoundException($"No workflow '{workflowId}' is loaded.");
        var initial = definition.State(definition.InitialState);
        var effects = new List<WorkflowEffect>();
        AddEntryEffects(effects, initial, now);
        return new CaseStart(definition, initial.Name, effects);
    }

    /// <summary>
    /// The effects of arriving in <paramref name="state"/> of <paramref name="definition"/> at <paramref name="now"/>
    /// without a transition (a case moved there by a version migration): the entry effects a transition into it
    /// yields, starting with <see cref="StateEntered"/>. The definition must be one of this engine's catalog.
    /// </summary>
    public IReadOnlyList<WorkflowEffect> Enter(WorkflowDefinition definition, string state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (!_compiled.ContainsKey(definition))
            throw new ArgumentException($"Workflow {definition} is not in this engine's catalog.", nameof(definition));
        var effects = new List<WorkflowEffect>();
        AddEntryEffects(effects, definition.State(state), now);
        return effects;
    }

    /// <summary>
    /// Every trigger of the case's current state as <paramref name="actor"/> sees it: allowed, or blocked with
    /// the reasons (wrong actor, unmet guards, and, when <paramref name="inputs"/> are given, missing or invalid inputs).
    /// </summary>
    public IReadOnlyList<AllowedAction> AllowedActions(CaseSnapshot snapshot, Actor actor, IReadOnlyDictionary<string, string>? inputs = null)
    {
        var state = Compiled(snapshot);
        var context = new GuardContext(snapshot, state.State, actor, inputs);
        var actions = new AllowedAction[state.Triggers.Length];
        for (var i = 0; i < actions.Length; i++)
        {
            var trigger = state.Triggers[i];
            List<BlockedReason>? reasons;
            var candidates = trigger.ForActor(actor);
            if (candidates.Length == 0)
            {
                reasons = [new BlockedReason(BlockKind.WrongActor, WorkflowSpelling.Of(actor), trigger.WrongActorText)];
            }
            else
            {
                reasons = inputs is null ? null : CheckInputs(trigger, inputs, rejectUnknown: false);
                if (Choose(candidates, context) is null) (reasons ??= []).AddRange(UnmetGuards(trigger, candidates, context));
            }
            actions[i] = new AllowedAction(trigger.Name, trigger.Title, reasons is null || reasons.Count == 0,
                reasons ?? (IReadOnlyList<BlockedReason>)[], trigger.Inputs);
        }
        return actions;
    }

    /// <summary>Fires <paramref name="trigger"/> as <paramref name="actor"/>: the transition taken and its effects, or why not.</summary>
    public FireResult Fire(CaseSnapshot snapshot, Actor actor, string trigger, IReadOnlyDictionary<string, string>? inputs = null)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        var state = Compiled(snapshot);
        if (!state.ByTrigger.TryGetValue(trigger, out var compiled))
            return FireResult.Blocked([new BlockedReason(BlockKind.UnknownTrigger, trigger,
                EngineText.Format(EngineText.NoSuchAction, EngineText.Literal(trigger), state.State.Title))]);
        var candidates = compiled.ForActor(actor);
        if (candidates.Length == 0)
            return FireResult.Blocked([new BlockedReason(BlockKind.WrongActor, WorkflowSpelling.Of(actor), compiled.WrongActorText)]);

        inputs ??= EmptyInputs;
        var inputProblems = CheckInputs(compiled, inputs, rejectUnknown: true);
        if (inputProblems is { Count: > 0 }) return FireResult.Blocked(inputProblems);

        var context = new GuardContext(snapshot, state.State, actor, inputs);
        var chosen = Choose(candidates, context);
        if (chosen is null) return FireResult.Blocked(UnmetGuards(compiled, candidates, context).ToList());

        // The transition itself is Stateless's: a machine for this call only, holding the actor's alternatives
        // for this trigger; it re-evaluates the guards and refuses if the definition were ambiguous.
        var reached = CaseMachine.Fire(state.State.Name, candidates, context);
        if (reached != chosen.To)
            throw new InvalidOperationException($"Stateless moved '{state.State.Name}' to '{reached}' on '{trigger}', the definition says '{chosen.To}'.");
        var definition = _catalog.Get(snapshot.WorkflowId, snapshot.WorkflowVersion);
        return new FireResult(chosen, Effects(definition, state.State, chosen, snapshot.Now), []);
    }

    /// <summary>The one alternative whose guards all hold, if any. The validator has made alternatives exclusive.</summary>
    private static TransitionDefinition? Choose(CompiledTransition[] candidates, in GuardContext context)
    {
        foreach (var t in candidates)
            if (t.Holds(context)) return t.Definition;
        return null;
    }

    private static IEnumerable<BlockedReason> UnmetGuards(CompiledTrigger trigger, CompiledTransition[] candidates, GuardContext context)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in candidates)
            foreach (var guard in t.Guards)
                if (!guard.Holds(context) && seen.Add(guard.Code))
                    yield return new BlockedReason(BlockKind.Guard, guard.Code, trigger.UnmetText(guard.Code));
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyInputs = new Dictionary<string, string>();

    private CompiledState Compiled(CaseSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var definition = _catalog.Get(snapshot.WorkflowId, snapshot.WorkflowVersion);
        return _compiled[definition].TryGetValue(snapshot.State, out var state)
            ? state
            : throw new UnknownStateException(definition.Id, definition.Version, snapshot.State);
    }

    private static List<WorkflowEffect> Effects(WorkflowDefinition definition, StateDefinition from, TransitionDefinition taken, DateTimeOffset now)
    {
        var to = definition.State(taken.To);
        var effects = new List<WorkflowEffect>(4 + to.OnEntry.Count + to.FollowUps.Count + taken.Effects.Count);
        // A state's own SLA clock is a pair of follow-ups too: leaving cancels them with the rest.
        if (from.FollowUps.Count > 0 || from.Sla is not null) effects.Add(new FollowUpsCancelled(from.Name));
        effects.Add(new StateExited(from.Name));
        if (taken.Outcome is { } outcome) effects.Add(new OutcomeSet(outcome, definition.Outcomes[outcome]));
        else if (from.Kind == StateKind.Resolved && to.IsOpen) effects.Add(new OutcomeCleared());
        AddEntryEffects(effects, to, now);
        foreach (var effect in taken.Effects) effects.Add(Effect(effect));
        return effects;
    }

    private static WorkflowEffect Effect(EffectReference effect) => effect.Name switch
    {
        "merchant.notify" => new MessageRequested(Recipient.Merchant, effect.Template!),
        "assignee.notify" => new MessageRequested(Recipient.Assignee, effect.Template!),
        _ => new ActionRequested(effect.Name),
    };

    private static void AddEntryEffects(List<WorkflowEffect> effects, StateDefinition state, DateTimeOffset now)
    {
        effects.Add(new StateEntered(state.Name, state.Kind, state.Title));
        if (state.RequiresEvidence.Count > 0) effects.Add(new EvidenceRequested(state.RequiresEvidence));
        foreach (var effect in state.OnEntry) effects.Add(Effect(effect));
        foreach (var followUp in state.FollowUps)
            effects.Add(new FollowUpScheduled(state.Name, followUp, now + followUp.After));
    }

    private static List<BlockedReason>? CheckInputs(CompiledTrigger trigger, IReadOnlyDictionary<string, string> inputs, bool rejectUnknown)
    {
        List<BlockedReason>? reasons = null;
        if (rejectUnknown)
            foreach (var name in inputs.Keys)
                if (!trigger.InputsByName.ContainsKey(name))
                    (reasons ??= []).Add(new(BlockKind.UnknownInput, name, EngineText.Format(EngineText.NotAnInput, EngineText.Literal(name))));
        foreach (var input in trigger.Inputs)
        {
            if (!inputs.TryGetValue(input.Name, out var value) || string.IsNullOrWhiteSpace(value))
            {
                if (input.Required)
                    (reasons ??= []).Add(new(BlockKind.MissingInput, input.Name, EngineText.Format(EngineText.Required, input.Title)));
            }
            else if (!InputValues.IsValid(input, value))
            {
                (reasons ??= []).Add(new(BlockKind.InvalidInput, input.Name, EngineText.InvalidInput(input)));
            }
        }
        return reasons;
    }

    /// <summary>A Stateless machine for one call, holding only the given alternatives of one trigger.</summary>
    private static class CaseMachine
    {
        public static string Fire(string from, CompiledTransition[] alternatives, GuardContext context)
        {
            var current = from;
            var machine = new StateMachine<string, string>(() => current, s => current = s, FiringMode.Immediate);
            var configuration = machine.Configure(from);
            foreach (var t in alternatives)
            {
                var guards = new Tuple<Func<bool>, string>[t.Guards.Length];
                for (var i = 0; i < guards.Length; i++)
                {
                    var guard = t.Guards[i];
                    guards[i] = new(() => guard.Holds(context), guard.Code);
                }
                if (t.Definition.IsReentry) configuration.PermitReentryIf(t.Definition.Trigger, guards);
                else configuration.PermitIf(t.Definition.Trigger, t.Definition.To, guards);
            }
            machine.Fire(alternatives[0].Definition.Trigger);
            return current;
        }
    }
}

internal sealed record CompiledGuard(Guard Guard, bool Negated, string Code)
{
    public bool Holds(in GuardContext context) => Guard.Evaluate(context) != Negated;
}

internal sealed record CompiledTransition(TransitionDefinition Definition, CompiledGuard[] Guards)
{
    public bool Holds(in GuardContext context)
    {
        foreach (var guard in Guards)
            if (!guard.Holds(context)) return false;
        return true;
    }
}

internal sealed class CompiledTrigger
{
    private readonly CompiledTransition[][] _byActor;
    private readonly Dictionary<string, LocalizedText> _unmetText = new(StringComparer.Ordinal);

    public CompiledTrigger(string name, IReadOnlyList<TransitionDefinition> transitions, GuardRegistry guards)
    {
        Name = name;
        Title = transitions[0].Title;
        var compiled = transitions.Select(t => new CompiledTransition(t, t.When.Select(g =>
        {
            var guard = guards[g.Name];
            _unmetText[g.ToString()] = g.Negated ? guard.Holds : guard.Fails;
            return new CompiledGuard(guard, g.Negated, g.ToString());
        }).ToArray())).ToArray();
        _byActor = Enum.GetValues<Actor>().Select(a => compiled.Where(t => t.Definition.AllowsActor(a)).ToArray()).ToArray();
        WrongActorText = EngineText.Actors(transitions.SelectMany(t => t.By).Distinct().Order());

        // Alternatives of one trigger usually ask the same inputs; if not, an input is required when any alternative requires it.
        var inputs = new List<InputDefinition>();
        foreach (var input in transitions.SelectMany(t => t.Inputs))
        {
            var index = inputs.FindIndex(i => i.Name == input.Name);
            if (index < 0) inputs.Add(input);
            else if (input.Required) inputs[index] = inputs[index] with { Required = true };
        }
        Inputs = inputs;
        InputsByName = inputs.ToDictionary(i => i.Name, StringComparer.Ordinal);
    }

    public string Name { get; }
    public LocalizedText Title { get; }
    public LocalizedText WrongActorText { get; }
    public IReadOnlyList<InputDefinition> Inputs { get; }
    public IReadOnlyDictionary<string, InputDefinition> InputsByName { get; }

    public CompiledTransition[] ForActor(Actor actor) => _byActor[(int)actor];

    /// <summary>What is true now that keeps the guard named by <paramref name="code"/> from holding.</summary>
    public LocalizedText UnmetText(string code) =>
        _unmetText.TryGetValue(code, out var text) ? text : EngineText.Literal(code);
}

internal sealed class CompiledState
{
    public CompiledState(StateDefinition state, GuardRegistry guards)
    {
        State = state;
        Triggers = state.Transitions.GroupBy(t => t.Trigger, StringComparer.Ordinal)
            .Select(g => new CompiledTrigger(g.Key, g.ToList(), guards)).ToArray();
        ByTrigger = Triggers.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public StateDefinition State { get; }
    public CompiledTrigger[] Triggers { get; }
    public IReadOnlyDictionary<string, CompiledTrigger> ByTrigger { get; }
}
