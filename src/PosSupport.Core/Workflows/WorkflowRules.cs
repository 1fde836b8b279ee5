using System.Text.RegularExpressions;

namespace PosSupport.Core.Workflows;

/// <summary>The rules about meaning that a schema cannot express. Each broken rule is one error line.</summary>
internal static partial class WorkflowRules
{
    public static void Check(WorkflowDefinition d, GuardRegistry guards, Action<string, string> error)
    {
        if (!d.TryGetState(d.InitialState, out _))
            error("$.initialState", $"unknown state '{d.InitialState}'");

        foreach (var (name, text) in d.Messages)
        {
            var path = JsonPath.Property("$.messages", name);
            CheckPlaceholders(text.En, JsonPath.Property(path, "en"), error);
            CheckPlaceholders(text.ZhCn, JsonPath.Property(path, "zh-CN"), error);
        }

        CheckPositive(d.Sla.FirstResponse, "$.sla.firstResponse", error);
        CheckPositive(d.Sla.Resolution, "$.sla.resolution", error);

        foreach (var state in d.States)
        {
            var path = JsonPath.Property("$.states", state.Name);
            CheckState(d, state, path, error);
            foreach (var t in state.Transitions.Where(t => !t.Shared))
                CheckTransition(d, t, PathOf(t, path), state.Kind, guards, error);
            CheckExclusiveTriggers(state, path, error);
        }
        // Checked once where declared, not once per state it applies to; shared transitions leave open states only.
        foreach (var shared in d.SharedTransitions)
        {
            var path = $"$.sharedTransitions[{shared.Transition.SourceIndex}]";
            CheckTransition(d, shared.Transition, path, StateKind.Active, guards, error);
            for (var k = 0; k < shared.Except.Count; k++)
                if (!d.TryGetState(shared.Except[k], out _))
                    error(JsonPath.Index(path + ".except", k), $"unknown state '{shared.Except[k]}'");
        }
        CheckReachability(d, error);
    }

    private static void CheckState(WorkflowDefinition d, StateDefinition state, string path, Action<string, string> error)
    {
        for (var i = 0; i < state.RequiresEvidence.Count; i++)
            if (!EvidenceCatalog.All.ContainsKey(state.RequiresEvidence[i]))
                error(JsonPath.Index(path + ".requiresEvidence", i), $"unknown evidence type '{state.RequiresEvidence[i]}'");

        CheckEffects(d, state.OnEntry, path + ".onEntry", error);

        if (state.Sla is not null) CheckPositive(state.Sla, path + ".sla", error);

        if (state.Kind == StateKind.Final)
        {
            if (state.Transitions.Count > 0)
                error(path + ".transitions", "a final state has no way out: remove its transitions or change its kind");
            if (state.FollowUps.Count > 0)
                error(path + ".followUps", "a final state cannot have follow-ups: nothing can happen after it");
        }
        else if (state.Transitions.Count == 0)
        {
            error(path, "state has no way out but is not final");
        }

        for (var i = 0; i < state.FollowUps.Count; i++)
            CheckFollowUp(d, state, state.FollowUps[i], JsonPath.Index(path + ".followUps", i), error);
    }

    private static void CheckEffects(WorkflowDefinition d, IReadOnlyList<EffectReference> effects, string path, Action<string, string> error)
    {
        for (var i = 0; i < effects.Count; i++)
        {
            var effect = effects[i];
            var effectPath = JsonPath.Index(path, i);
            if (!EffectCatalog.All.TryGetValue(effect.Name, out var kind))
                error(effectPath + ".effect", $"unknown effect '{effect.Name}'");
            else if (kind.NeedsTemplate && effect.Template is null)
                error(effectPath, $"effect '{effect.Name}' needs a message template");
            else if (!kind.NeedsTemplate && effect.Template is not null)
                error(effectPath + ".template", $"effect '{effect.Name}' takes no message template");
            if (effect.Template is not null && !d.Messages.ContainsKey(effect.Template))
                error(effectPath + ".template", $"unknown message template '{effect.Template}'");
        }
    }

    private static void CheckFollowUp(WorkflowDefinition d, StateDefinition state, FollowUpDefinition f, string path, Action<string, string> error)
    {
        if (f.After <= TimeSpan.Zero) error(path + ".after", "duration must be greater than zero");
        if (f.Every is { } every && every <= TimeSpan.Zero) error(path + ".every", "duration must be greater than zero");

        switch (f.Remind, f.Fire)
        {
            case (null, null):
                error(path, "a follow-up needs either 'remind' (a message template) or 'fire' (a trigger)");
                return;
            case (not null, not null):
                error(path, "a follow-up either reminds or fires, not both");
                return;
        }

        if (f.Remind is not null)
        {
            if (!d.Messages.ContainsKey(f.Remind))
                error(path + ".remind", $"unknown message template '{f.Remind}'");
            if (f.Repeat > 0 && f.Every is null)
                error(path + ".repeat", "a repeated reminder needs 'every'");
            if (f.Every is not null && f.Repeat == 0)
                error(path + ".every", "'every' needs 'repeat' of at least 1");
            return;
        }

        if (f.Repeat > 0 || f.Every is not null)
            error(path, "only reminders repeat: remove 'repeat' and 'every' from a follow-up that fires");
        var candidates = state.Transitions.Where(t => t.Trigger == f.Fire).ToList();
        if (candidates.Count == 0)
            error(path + ".fire", $"state '{state.Name}' has no trigger '{f.Fire}'");
        else if (!candidates.Any(t => t.AllowsActor(Actor.System)))
            error(path + ".fire", $"trigger '{f.Fire}' cannot be fired by system: add \"system\" to its 'by'");
    }

    private static void CheckTransition(WorkflowDefinition d, TransitionDefinition t, string path, StateKind fromKind,
        GuardRegistry guards, Action<string, string> error)
    {
        for (var j = 0; j < t.When.Count; j++)
            if (!guards.TryGet(t.When[j].Name, out _))
                error(JsonPath.Index(path + ".when", j), $"unknown guard '{t.When[j].Name}'");
        CheckEffects(d, t.Effects, path + ".effects", error);

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var k = 0; k < t.Inputs.Count; k++)
        {
            var input = t.Inputs[k];
            var inputPath = JsonPath.Index(path + ".inputs", k);
            if (!names.Add(input.Name)) error(inputPath + ".name", $"input '{input.Name}' is declared twice");
            if (input.Type == InputType.Choice && input.Options.Count == 0)
                error(inputPath, "a choice input needs 'options'");
            if (input.Type != InputType.Choice && input.Options.Count > 0)
                error(inputPath + ".options", "only choice inputs have options");
        }

        if (!d.TryGetState(t.To, out var target))
        {
            error(path + ".to", $"unknown state '{t.To}'");
            return;
        }

        var intoEnd = target.Kind is StateKind.Resolved or StateKind.Final;
        if (t.Outcome is null)
        {
            var keepsOutcome = fromKind == StateKind.Resolved && target.Kind == StateKind.Final;
            if (intoEnd && !keepsOutcome)
                error(path, $"a transition into {WorkflowSpelling.Of(target.Kind)} state '{t.To}' needs an 'outcome'");
        }
        else if (!intoEnd)
        {
            error(path + ".outcome", $"only transitions into resolved or final states set an outcome; '{t.To}' is {WorkflowSpelling.Of(target.Kind)}");
        }
        else if (!d.Outcomes.ContainsKey(t.Outcome))
        {
            error(path + ".outcome", $"unknown outcome '{t.Outcome}': declare it in $.outcomes");
        }
    }

    private static void CheckExclusiveTriggers(StateDefinition state, string path, Action<string, string> error)
    {
        var transitions = state.Transitions;
        for (var i = 0; i < transitions.Count; i++)
            for (var j = 0; j < i; j++)
            {
                var (a, b) = (transitions[j], transitions[i]);
                if (a.Trigger != b.Trigger || Exclusive(a, b)) continue;
                error(PathOf(b, path), $"trigger '{b.Trigger}' from state '{state.Name}' is also declared at {PathOf(a, path)} " +
                      "without exclusive guards: give one a guard g and the other !g");
            }
    }

    /// <summary>Two transitions can never both apply when one needs g and the other !g, or no actor may fire both.</summary>
    internal static bool Exclusive(TransitionDefinition a, TransitionDefinition b)
    {
        foreach (var g in a.When)
            foreach (var h in b.When)
                if (g.Name == h.Name && g.Negated != h.Negated) return true;
        return !a.By.Intersect(b.By).Any();
    }

    private static void CheckReachability(WorkflowDefinition d, Action<string, string> error)
    {
        if (!d.TryGetState(d.InitialState, out var initial)) return;
        var seen = new HashSet<string>(StringComparer.Ordinal) { initial.Name };
        var pending = new Queue<StateDefinition>([initial]);
        while (pending.TryDequeue(out var state))
            foreach (var t in state.Transitions)
                if (d.TryGetState(t.To, out var next) && seen.Add(next.Name))
                    pending.Enqueue(next);
        foreach (var state in d.States)
            if (!seen.Contains(state.Name))
                error(JsonPath.Property("$.states", state.Name), $"unreachable from the initial state '{d.InitialState}'");
    }

    private static void CheckPlaceholders(string text, string path, Action<string, string> error)
    {
        foreach (Match match in Placeholder().Matches(text))
            if (!MessagePlaceholders.All.Contains(match.Groups[1].Value))
                error(path, $"unknown placeholder {{{match.Groups[1].Value}}}; known: {string.Join(", ", MessagePlaceholders.All.Order().Select(p => "{" + p + "}"))}");
    }

    private static void CheckPositive(IReadOnlyDictionary<Priority, TimeSpan> targets, string path, Action<string, string> error)
    {
        foreach (var (priority, duration) in targets)
            if (duration <= TimeSpan.Zero)
                error(JsonPath.Property(path, priority.ToString().ToLowerInvariant()), "duration must be greater than zero");
    }

    private static string PathOf(TransitionDefinition t, string statePath) =>
        t.Shared ? $"$.sharedTransitions[{t.SourceIndex}]" : JsonPath.Index(statePath + ".transitions", t.SourceIndex);

    [GeneratedRegex(@"\{([^{}]*)\}")]
    private static partial Regex Placeholder();
}
