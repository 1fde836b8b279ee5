using PosSupport.Core.Workflows;

namespace PosSupport.Core.Tests.Scenarios;

/// <summary>The real workflow files (copied to the test output's <c>workflows/</c>), loaded once through the real loader.</summary>
internal static class ShippedWorkflows
{
    private static readonly Lazy<WorkflowEngine> LazyEngine = new(() =>
    {
        var result = WorkflowLoader.LoadDirectory(Path.Combine(AppContext.BaseDirectory, "workflows"));
        if (!result.Succeeded)
            throw new InvalidOperationException("The shipped workflows do not load:" + Environment.NewLine +
                                                string.Join(Environment.NewLine, result.Errors));
        return new WorkflowEngine(result.Catalog!);
    });

    public static WorkflowEngine Engine => LazyEngine.Value;
}

/// <summary>
/// One case walked through the real engine the way the case handler would: it keeps the state, the row
/// version, the outcome and the pending follow-ups, and lets a test move the clock to a follow-up's due time
/// and fire it as the system. Facts (contract, evidence, offers) are set by the test, as the handler would.
/// </summary>
internal sealed class CaseJourney
{
    /// <summary>Monday 2026-11-23 10:00 in Shanghai.</summary>
    public static readonly DateTimeOffset Opened = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

    private readonly WorkflowEngine _engine;
    private readonly List<FollowUpScheduled> _pending = [];

    private CaseJourney(WorkflowEngine engine, WorkflowDefinition workflow, CaseStart start, CaseFacts facts)
    {
        _engine = engine;
        Workflow = workflow;
        State = start.State;
        Facts = facts;
        LastEffects = start.Effects;
        Track(start.Effects);
    }

    public WorkflowDefinition Workflow { get; }
    public string State { get; private set; }
    public long Version { get; private set; } = 1;
    public DateTimeOffset Now { get; set; } = Opened;
    public CaseFacts Facts { get; set; }
    public string? Outcome { get; private set; }
    public IReadOnlyList<WorkflowEffect> LastEffects { get; private set; }
    public IReadOnlyList<FollowUpScheduled> PendingFollowUps => _pending;

    public CaseSnapshot Snapshot => new(Workflow.Id, Workflow.Version, State, Version, Now, Facts);

    public static CaseJourney Open(string workflowId, CaseFacts? facts = null)
    {
        var engine = ShippedWorkflows.Engine;
        var start = engine.Start(workflowId, Opened);
        return new CaseJourney(engine, start.Workflow, start, facts ?? CaseFacts.Empty);
    }

    /// <summary>Fires a trigger that must succeed; the failure message lists why it was blocked.</summary>
    public FireResult Fire(Actor actor, string trigger, params (string Name, string Value)[] inputs)
    {
        var result = TryFire(actor, trigger, inputs);
        Assert.True(result.Succeeded,
            $"'{trigger}' by {actor} in '{State}' was blocked: {string.Join("; ", result.Reasons.Select(r => $"{r.Kind} {r.Code}: {r.Text.En}"))}");
        return result;
    }

    /// <summary>Fires a trigger and, when it succeeds, moves the case as the handler would.</summary>
    public FireResult TryFire(Actor actor, string trigger, params (string Name, string Value)[] inputs)
    {
        var values = inputs.ToDictionary(i => i.Name, i => i.Value, StringComparer.Ordinal);
        var result = _engine.Fire(Snapshot, actor, trigger, values);
        if (!result.Succeeded) return result;
        State = result.Transition!.To;
        Version++;
        LastEffects = result.Effects;
        Track(result.Effects);
        return result;
    }

    public IReadOnlyList<AllowedAction> Actions(Actor actor) => _engine.AllowedActions(Snapshot, actor);

    public AllowedAction Action(Actor actor, string trigger) => Actions(actor).Single(a => a.Trigger == trigger);

    /// <summary>The pending follow-up that fires <paramref name="trigger"/>.</summary>
    public FollowUpScheduled FollowUpFiring(string trigger) => _pending.Single(f => f.FollowUp.Fire == trigger);

    /// <summary>The pending reminder that sends <paramref name="template"/>.</summary>
    public FollowUpScheduled Reminder(string template) => _pending.Single(f => f.FollowUp.Remind == template);

    /// <summary>Waits until the follow-up that fires <paramref name="trigger"/> is due, then fires it as the system, as its job would.</summary>
    public FireResult WaitForFollowUp(string trigger)
    {
        Now = FollowUpFiring(trigger).DueAt;
        return Fire(Actor.System, trigger);
    }

    public void AcceptEvidence(params string[] types)
    {
        var accepted = new HashSet<string>(Facts.AcceptedEvidence, StringComparer.Ordinal);
        accepted.UnionWith(types);
        Facts = Facts with { AcceptedEvidence = accepted };
    }

    /// <summary>Proposes an offer and records it as the open offer, as the negotiation handler does.</summary>
    public FireResult ProposeOffer(Actor actor, string kind, long amountFen, bool final = false)
    {
        var result = Fire(actor, "propose-offer",
            ("kind", kind), ("amount", amountFen.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("final", final ? "true" : "false"));
        Facts = Facts with { OpenOffer = new OfferFacts(amountFen, final, Approved: actor == Actor.Supervisor) };
        return result;
    }

    private void Track(IEnumerable<WorkflowEffect> effects)
    {
        foreach (var effect in effects)
            switch (effect)
            {
                case FollowUpsCancelled cancelled: _pending.RemoveAll(f => f.State == cancelled.State); break;
                case FollowUpScheduled scheduled: _pending.Add(scheduled); break;
                case OutcomeSet set: Outcome = set.Outcome; break;
                case OutcomeCleared: Outcome = null; break;
            }
    }
}

/// <summary>Reading what a user would notice out of a list of effects.</summary>
internal static class Effects
{
    public static IReadOnlyList<string> MessagesTo(this IEnumerable<WorkflowEffect> effects, Recipient recipient) =>
        effects.OfType<MessageRequested>().Where(m => m.To == recipient).Select(m => m.Template).ToList();

    public static IReadOnlyList<string> Actions(this IEnumerable<WorkflowEffect> effects) =>
        effects.OfType<ActionRequested>().Select(a => a.Name).ToList();

    public static IReadOnlyList<string> RequestedEvidence(this IEnumerable<WorkflowEffect> effects) =>
        effects.OfType<EvidenceRequested>().SelectMany(e => e.Types).ToList();

    public static IReadOnlyList<FollowUpScheduled> Scheduled(this IEnumerable<WorkflowEffect> effects) =>
        effects.OfType<FollowUpScheduled>().ToList();

    public static string? OutcomeSet(this IEnumerable<WorkflowEffect> effects) =>
        effects.OfType<OutcomeSet>().SingleOrDefault()?.Outcome;

    public static StateEntered Entered(this IEnumerable<WorkflowEffect> effects) => effects.OfType<StateEntered>().Single();
}
