using System.Text;
using Stateless;
using Stateless.Graph;

namespace PosSupport.Core.Workflows;

/// <summary>Mermaid state diagrams of workflows, drawn by Stateless from a machine holding every transition.</summary>
public static class WorkflowDiagram
{
    /// <summary>The diagram, with <paramref name="currentState"/> highlighted when given.</summary>
    public static string ToMermaid(WorkflowDefinition definition, string? currentState = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var machine = new StateMachine<string, string>(definition.InitialState);
        foreach (var state in definition.States)
        {
            var configuration = machine.Configure(state.Name);
            foreach (var t in state.Transitions)
            {
                // Guard descriptions label the arrows; the functions are never called when drawing.
                var guards = t.When.Select(g => new Tuple<Func<bool>, string>(static () => true, g.ToString())).ToArray();
                if (t.IsReentry) configuration.PermitReentryIf(t.Trigger, guards);
                else configuration.PermitIf(t.Trigger, t.To, guards);
            }
        }
        var graph = new StringBuilder(MermaidGraph.Format(machine.GetInfo()));
        if (currentState is not null && definition.TryGetState(currentState, out _))
        {
            graph.AppendLine().Append("    classDef current fill:#ffd54f,stroke:#e65100,stroke-width:2px");
            graph.AppendLine().Append("    class ").Append(MermaidId(graph, currentState)).Append(" current");
        }
        return graph.ToString();
    }

    // Stateless gives names Mermaid cannot take as ids an alias line "\tid : name"; highlight the id then.
    private static string MermaidId(StringBuilder graph, string state)
    {
        foreach (var line in graph.ToString().Split('\n'))
        {
            var parts = line.Trim().Split(" : ", 2, StringSplitOptions.None);
            if (parts.Length == 2 && parts[1] == state && !parts[0].Contains(' ', StringComparison.Ordinal)) return parts[0];
        }
        return state;
    }
}
