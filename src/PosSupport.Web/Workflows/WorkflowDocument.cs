using System.Text.Json.Serialization;
using PosSupport.Core.Workflows;

namespace PosSupport.Web.Workflows;

/// <summary>A loaded workflow as the API shows it: names and spellings as in the JSON file, plus its Mermaid diagram.</summary>
public sealed record WorkflowDocument(
    string Id,
    int Version,
    TextDocument Title,
    string CaseNumberPrefix,
    string InitialState,
    string Sha256,
    IReadOnlyList<StateDocument> States,
    IReadOnlyDictionary<string, TextDocument> Outcomes,
    string Diagram)
{
    public static WorkflowDocument From(WorkflowDefinition definition) => new(
        definition.Id,
        definition.Version,
        TextDocument.From(definition.Title),
        definition.CaseNumberPrefix,
        definition.InitialState,
        definition.Sha256,
        definition.States.Select(StateDocument.From).ToList(),
        definition.Outcomes.ToDictionary(o => o.Key, o => TextDocument.From(o.Value), StringComparer.Ordinal),
        WorkflowDiagram.ToMermaid(definition));
}

public sealed record TextDocument(
    string En,
    [property: JsonPropertyName("zh-CN")] string ZhCn)
{
    public static TextDocument From(LocalizedText text) => new(text.En, text.ZhCn);
}

public sealed record StateDocument(
    string Name,
    TextDocument Title,
    string Kind,
    IReadOnlyList<string> RequiresEvidence,
    IReadOnlyList<TransitionDocument> Transitions)
{
    public static StateDocument From(StateDefinition state) => new(
        state.Name,
        TextDocument.From(state.Title),
        WorkflowSpelling.Of(state.Kind),
        state.RequiresEvidence,
        state.Transitions.Select(TransitionDocument.From).ToList());
}

public sealed record TransitionDocument(
    string Trigger,
    TextDocument Title,
    string To,
    IReadOnlyList<string> By,
    IReadOnlyList<string> When,
    IReadOnlyList<InputDocument> Inputs,
    string? Outcome,
    bool Shared)
{
    public static TransitionDocument From(TransitionDefinition transition) => new(
        transition.Trigger,
        TextDocument.From(transition.Title),
        transition.To,
        transition.By.Select(WorkflowSpelling.Of).ToList(),
        transition.When.Select(g => g.ToString()).ToList(),
        transition.Inputs.Select(InputDocument.From).ToList(),
        transition.Outcome,
        transition.Shared);
}

public sealed record InputDocument(
    string Name,
    TextDocument Title,
    string Type,
    bool Required,
    IReadOnlyList<string> Options)
{
    public static InputDocument From(InputDefinition input) => new(
        input.Name, TextDocument.From(input.Title), WorkflowSpelling.Of(input.Type), input.Required, input.Options);
}
