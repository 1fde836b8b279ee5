namespace PosSupport.Core.Workflows;

public enum BlockKind { UnknownTrigger, WrongActor, Guard, MissingInput, InvalidInput, UnknownInput }

/// <summary>Why an action cannot be taken now, in words for the person who tried.</summary>
public sealed record BlockedReason(BlockKind Kind, string Code, LocalizedText Text);

/// <summary>One trigger of the current state, as a given actor sees it.</summary>
public sealed record AllowedAction(
    string Trigger,
    LocalizedText Title,
    bool Allowed,
    IReadOnlyList<BlockedReason> Reasons,
    IReadOnlyList<InputDefinition> Inputs);

/// <summary>
/// The engine's answer to a trigger: on success the transition taken and the effects to carry out,
/// in order, inside the caller's transaction; otherwise why not. The engine itself changes nothing.
/// </summary>
public sealed record FireResult(
    TransitionDefinition? Transition,
    IReadOnlyList<WorkflowEffect> Effects,
    IReadOnlyList<BlockedReason> Reasons)
{
    public bool Succeeded => Transition is not null;

    internal static FireResult Blocked(IReadOnlyList<BlockedReason> reasons) => new(null, [], reasons);
}

/// <summary>What a case needs done when it starts in its workflow's initial state.</summary>
public sealed record CaseStart(WorkflowDefinition Workflow, string State, IReadOnlyList<WorkflowEffect> Effects);

/// <summary>Effects as data. The case handler executes them; the engine never does I/O.</summary>
public abstract record WorkflowEffect;

/// <summary>Cancel every pending follow-up the state armed (the case left it).</summary>
public sealed record FollowUpsCancelled(string State) : WorkflowEffect;

public sealed record StateExited(string State) : WorkflowEffect;

public sealed record OutcomeSet(string Outcome, LocalizedText Title) : WorkflowEffect;

/// <summary>A resolved case was reopened: its outcome no longer stands.</summary>
public sealed record OutcomeCleared : WorkflowEffect;

public sealed record StateEntered(string State, StateKind Kind, LocalizedText Title) : WorkflowEffect;

/// <summary>Ask the merchant for the evidence types the entered state requires.</summary>
public sealed record EvidenceRequested(IReadOnlyList<string> Types) : WorkflowEffect;

public enum Recipient { Merchant, Assignee }

/// <summary>Send a message from a workflow template (its text is in <see cref="WorkflowDefinition.Messages"/>).</summary>
public sealed record MessageRequested(Recipient To, string Template) : WorkflowEffect;

/// <summary>Any other named on-entry effect from <see cref="EffectCatalog"/> (contract lookup, shipping...).</summary>
public sealed record ActionRequested(string Name) : WorkflowEffect;

/// <summary>Arm a follow-up of the entered state, due at <see cref="DueAt"/> (snapshot time + after).</summary>
public sealed record FollowUpScheduled(string State, FollowUpDefinition FollowUp, DateTimeOffset DueAt) : WorkflowEffect;
