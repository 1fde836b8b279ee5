using System.Text.Json;

namespace PosSupport.Testing;

/// <summary>
/// The transitions the workflow files declare, read straight from the JSON (independently of the engine): a state's own
/// transitions, and the shared ones in every open state (active or waiting on the merchant) not listed in their <c>except</c>.
/// </summary>
public sealed class WorkflowRules
{
    private readonly HashSet<(string Workflow, string From, string Trigger, string To)> _allowed = [];

    public static WorkflowRules Load(string directory)
    {
        var rules = new WorkflowRules();
        foreach (var file in Directory.GetFiles(directory, "*.json"))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            var root = document.RootElement;
            if (!root.TryGetProperty("states", out var states)) continue;
            var id = root.GetProperty("id").GetString()!;
            foreach (var state in states.EnumerateObject())
            {
                foreach (var transition in Transitions(state.Value))
                    rules._allowed.Add((id, state.Name, transition.GetProperty("trigger").GetString()!, transition.GetProperty("to").GetString()!));
                var kind = state.Value.GetProperty("kind").GetString();
                if (kind is not ("active" or "waiting-on-merchant") || !root.TryGetProperty("sharedTransitions", out var shared)) continue;
                foreach (var transition in shared.EnumerateArray())
                {
                    if (transition.TryGetProperty("except", out var except) && except.EnumerateArray().Any(e => e.GetString() == state.Name)) continue;
                    rules._allowed.Add((id, state.Name, transition.GetProperty("trigger").GetString()!, transition.GetProperty("to").GetString()!));
                }
            }
        }
        return rules;
    }

    public bool Allows(string workflow, string from, string trigger, string to) => _allowed.Contains((workflow, from, trigger, to));

    private static JsonElement.ArrayEnumerator Transitions(JsonElement state) =>
        state.TryGetProperty("transitions", out var transitions) ? transitions.EnumerateArray() : default;
}
