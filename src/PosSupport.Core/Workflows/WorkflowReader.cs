using System.Text.Json;

namespace PosSupport.Core.Workflows;

/// <summary>Turns a schema-valid document into the model. Shared transitions are expanded into each state they apply to.</summary>
internal static class WorkflowReader
{
    public static WorkflowDefinition Read(string fileName, byte[] content, JsonElement root)
    {
        var statesElement = root.GetProperty("states");
        var kinds = statesElement.EnumerateObject().ToDictionary(s => s.Name, s => WorkflowSpelling.ParseStateKind(s.Value.GetProperty("kind").GetString()!), StringComparer.Ordinal);

        var shared = new List<SharedTransition>();
        if (root.TryGetProperty("sharedTransitions", out var sharedElement))
            foreach (var t in sharedElement.EnumerateArray())
            {
                var index = shared.Count;
                var except = Array(t, "except").Select(x => x.GetString()!).ToList();
                shared.Add(new SharedTransition(Transition(t, from: "", isShared: true) with { SourceIndex = index }, except));
            }

        var states = new List<StateDefinition>();
        foreach (var s in statesElement.EnumerateObject())
        {
            var kind = kinds[s.Name];
            var transitions = Array(s.Value, "transitions").Select((t, i) => Transition(t, s.Name, isShared: false) with { SourceIndex = i }).ToList();
            if (kind is StateKind.Active or StateKind.WaitingOnMerchant)
                foreach (var (template, except) in shared)
                    if (template.To != s.Name && !except.Contains(s.Name, StringComparer.Ordinal))
                        transitions.Add(template with { From = s.Name });

            var followUpIndex = 0;
            states.Add(new StateDefinition
            {
                Name = s.Name,
                Title = Text(s.Value.GetProperty("title")),
                Kind = kind,
                RequiresEvidence = Array(s.Value, "requiresEvidence").Select(x => x.GetString()!).ToList(),
                OnEntry = Effects(s.Value, "onEntry"),
                FollowUps = Array(s.Value, "followUps").Select(f => FollowUp(s.Name, followUpIndex++, f)).ToList(),
                Transitions = transitions,
                Sla = s.Value.TryGetProperty("sla", out var sla) ? PerPriority(sla) : null,
            });
        }

        var slaElement = root.GetProperty("sla");
        var definition = new WorkflowDefinition
        {
            Id = root.GetProperty("id").GetString()!,
            Version = root.GetProperty("version").GetInt32(),
            Title = Text(root.GetProperty("title")),
            CaseNumberPrefix = root.GetProperty("caseNumberPrefix").GetString()!,
            InitialState = root.GetProperty("initialState").GetString()!,
            States = states,
            Outcomes = root.GetProperty("outcomes").EnumerateObject().ToDictionary(o => o.Name, o => Text(o.Value), StringComparer.Ordinal),
            Messages = root.TryGetProperty("messages", out var messages)
                ? messages.EnumerateObject().ToDictionary(m => m.Name, m => Text(m.Value), StringComparer.Ordinal)
                : new Dictionary<string, LocalizedText>(StringComparer.Ordinal),
            Sla = new SlaTargets(
                PerPriority(slaElement.GetProperty("firstResponse")),
                PerPriority(slaElement.GetProperty("resolution")),
                slaElement.TryGetProperty("warnAt", out var warnAt) ? warnAt.GetDouble() : 0.8),
            SharedTransitions = shared,
            Sha256 = WorkflowLoader.Sha256(content),
            SourceFile = fileName,
            Json = WorkflowLoader.Text(content),
        };
        definition.Index();
        return definition;
    }

    private static TransitionDefinition Transition(JsonElement t, string from, bool isShared) => new TransitionDefinition(
        Trigger: t.GetProperty("trigger").GetString()!,
        Title: Text(t.GetProperty("title")),
        From: from,
        To: t.GetProperty("to").GetString()!,
        By: t.GetProperty("by").EnumerateArray().Select(a => WorkflowSpelling.ParseActor(a.GetString()!)).ToList(),
        When: Array(t, "when").Select(g => GuardReference.Parse(g.GetString()!)).ToList(),
        Inputs: Array(t, "inputs").Select(Input).ToList(),
        Outcome: OptionalString(t, "outcome"),
        Shared: isShared)
    {
        Effects = Effects(t, "effects"),
    };

    private static List<EffectReference> Effects(JsonElement e, string name) =>
        Array(e, name).Select(x => new EffectReference(x.GetProperty("effect").GetString()!, OptionalString(x, "template"))).ToList();

    private static InputDefinition Input(JsonElement i) => new(
        i.GetProperty("name").GetString()!,
        Text(i.GetProperty("title")),
        WorkflowSpelling.ParseInputType(i.GetProperty("type").GetString()!),
        i.TryGetProperty("required", out var required) && required.GetBoolean(),
        Array(i, "options").Select(o => o.GetString()!).ToList());

    private static FollowUpDefinition FollowUp(string state, int index, JsonElement f)
    {
        TimeSpan? every = f.TryGetProperty("every", out var e) ? Duration(e) : null;
        return new FollowUpDefinition(
            Key: $"{state}/{index}",
            After: Duration(f.GetProperty("after")),
            Remind: OptionalString(f, "remind"),
            Repeat: f.TryGetProperty("repeat", out var repeat) ? repeat.GetInt32() : 0,
            Every: every,
            Fire: OptionalString(f, "fire"));
    }

    private static Dictionary<Priority, TimeSpan> PerPriority(JsonElement element)
    {
        var result = new Dictionary<Priority, TimeSpan>();
        foreach (var p in element.EnumerateObject())
            result[Enum.Parse<Priority>(p.Name, ignoreCase: true)] = Duration(p.Value);
        return result;
    }

    // The schema has checked the syntax (and bounded the digits); zero is left for the rules to report.
    private static TimeSpan Duration(JsonElement e) => IsoDuration.TryParse(e.GetString(), out var d) ? d : TimeSpan.Zero;

    private static LocalizedText Text(JsonElement e) => new(e.GetProperty("en").GetString()!, e.GetProperty("zh-CN").GetString()!);

    private static string? OptionalString(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() : null;

    private static IEnumerable<JsonElement> Array(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.EnumerateArray() : Enumerable.Empty<JsonElement>();
}
