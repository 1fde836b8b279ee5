namespace PosSupport.Core.Workflows;

/// <summary>Who fires a trigger. The merchant speaks through a chat channel as <see cref="Customer"/>.</summary>
public enum Actor { Customer, Agent, Supervisor, System }

/// <summary>
/// What a state means for the case. <see cref="WaitingOnMerchant"/> pauses SLA clocks;
/// <see cref="Resolved"/> counts as resolved (outcome set) but may still reopen or auto-close;
/// <see cref="Final"/> has no way out.
/// </summary>
public enum StateKind { Active, WaitingOnMerchant, Resolved, Final }

public enum InputType { Text, WholeNumber, Money, BasisPoints, Boolean, Date, Choice }

public enum Priority { Low, Normal, High, Urgent }

/// <summary>A compiled, validated workflow definition. Immutable once loaded; safe to share across threads.</summary>
public sealed class WorkflowDefinition
{
    public required string Id { get; init; }
    public required int Version { get; init; }
    public required LocalizedText Title { get; init; }
    /// <summary>Prefix of case numbers of this workflow, e.g. <c>DF</c> in <c>DF-2026-000123</c>.</summary>
    public required string CaseNumberPrefix { get; init; }
    public required string InitialState { get; init; }
    /// <summary>States in file order.</summary>
    public required IReadOnlyList<StateDefinition> States { get; init; }
    public required IReadOnlyDictionary<string, LocalizedText> Outcomes { get; init; }
    public required IReadOnlyDictionary<string, LocalizedText> Messages { get; init; }
    public required SlaTargets Sla { get; init; }
    /// <summary>Transitions declared once for every open state; already expanded into <see cref="StateDefinition.Transitions"/>.</summary>
    public required IReadOnlyList<SharedTransition> SharedTransitions { get; init; }
    /// <summary>Lower-case hex sha256 of the file's bytes: a published (id, version) may never change it.</summary>
    public required string Sha256 { get; init; }
    public required string SourceFile { get; init; }
    /// <summary>The file's text, kept so the database can store exactly what was published.</summary>
    public required string Json { get; init; }

    private readonly Dictionary<string, StateDefinition> _byName = new(StringComparer.Ordinal);

    internal void Index()
    {
        foreach (var state in States) _byName[state.Name] = state;
    }

    public StateDefinition State(string name) =>
        _byName.TryGetValue(name, out var state)
            ? state
            : throw new UnknownStateException(Id, Version, name);

    public bool TryGetState(string name, out StateDefinition state) => _byName.TryGetValue(name, out state!);

    public override string ToString() => $"{Id} v{Version}";
}

public sealed class StateDefinition
{
    public required string Name { get; init; }
    public required LocalizedText Title { get; init; }
    public required StateKind Kind { get; init; }
    public required IReadOnlyList<string> RequiresEvidence { get; init; }
    public required IReadOnlyList<EffectReference> OnEntry { get; init; }
    public required IReadOnlyList<FollowUpDefinition> FollowUps { get; init; }
    /// <summary>The state's own transitions followed by the shared ones that apply to it.</summary>
    public required IReadOnlyList<TransitionDefinition> Transitions { get; init; }
    /// <summary>Optional business-time target for staying in this state, per priority.</summary>
    public IReadOnlyDictionary<Priority, TimeSpan>? Sla { get; init; }

    public bool IsOpen => Kind is StateKind.Active or StateKind.WaitingOnMerchant;
    public bool PausesSla => Kind == StateKind.WaitingOnMerchant;
}

public sealed record TransitionDefinition(
    string Trigger,
    LocalizedText Title,
    string From,
    string To,
    IReadOnlyList<Actor> By,
    IReadOnlyList<GuardReference> When,
    IReadOnlyList<InputDefinition> Inputs,
    string? Outcome,
    bool Shared)
{
    /// <summary>Position in the file: in the state's <c>transitions</c>, or in <c>sharedTransitions</c> when <see cref="Shared"/>.</summary>
    public int SourceIndex { get; init; }

    /// <summary>
    /// What taking this transition does beyond entering <see cref="To"/> (e.g. telling the merchant an offer was withdrawn, which
    /// entering the target state from elsewhere must not say). Run after the target's <c>onEntry</c>.
    /// </summary>
    public IReadOnlyList<EffectReference> Effects { get; init; } = [];

    public bool IsReentry => From == To;
    public bool AllowsActor(Actor actor)
    {
        foreach (var a in By) if (a == actor) return true;
        return false;
    }
}

/// <summary>A transition every open state has, except <see cref="Except"/> and its own target.</summary>
public sealed record SharedTransition(TransitionDefinition Transition, IReadOnlyList<string> Except);

/// <summary>A guard named in a definition, possibly negated with a leading <c>!</c>.</summary>
public sealed record GuardReference(string Name, bool Negated)
{
    public static GuardReference Parse(string text) =>
        text.StartsWith('!') ? new GuardReference(text[1..], true) : new GuardReference(text, false);

    public override string ToString() => Negated ? "!" + Name : Name;
}

public sealed record InputDefinition(
    string Name,
    LocalizedText Title,
    InputType Type,
    bool Required,
    IReadOnlyList<string> Options);

public sealed record EffectReference(string Name, string? Template);

/// <summary>
/// A follow-up a state arms on entry and cancels on exit: after <see cref="After"/>, either remind the
/// merchant with <see cref="Remind"/> (then <see cref="Repeat"/> more times every <see cref="Every"/>)
/// or fire <see cref="Fire"/> as <see cref="Actor.System"/>.
/// </summary>
public sealed record FollowUpDefinition(
    string Key,
    TimeSpan After,
    string? Remind,
    int Repeat,
    TimeSpan? Every,
    string? Fire);

/// <summary>First-response and resolution targets, in business time, per priority.</summary>
public sealed record SlaTargets(
    IReadOnlyDictionary<Priority, TimeSpan> FirstResponse,
    IReadOnlyDictionary<Priority, TimeSpan> Resolution,
    double WarnAtFraction);

public sealed class UnknownStateException(string workflowId, int version, string state)
    : InvalidOperationException($"Workflow {workflowId} v{version} has no state '{state}'.")
{
    public string State { get; } = state;
}
