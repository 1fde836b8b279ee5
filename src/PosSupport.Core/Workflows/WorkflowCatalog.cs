namespace PosSupport.Core.Workflows;

/// <summary>The loaded, validated definitions. Immutable; safe to share across threads.</summary>
public sealed class WorkflowCatalog
{
    private readonly Dictionary<(string Id, int Version), WorkflowDefinition> _byKey = [];
    private readonly Dictionary<string, WorkflowDefinition> _newest = new(StringComparer.Ordinal);

    public WorkflowCatalog(IEnumerable<WorkflowDefinition> definitions)
    {
        All = definitions.OrderBy(d => d.Id, StringComparer.Ordinal).ThenBy(d => d.Version).ToList();
        foreach (var d in All)
        {
            if (!_byKey.TryAdd((d.Id, d.Version), d))
                throw new ArgumentException($"Workflow {d} is given twice.", nameof(definitions));
            _newest[d.Id] = d;
        }
    }

    /// <summary>Every definition, ordered by id then version.</summary>
    public IReadOnlyList<WorkflowDefinition> All { get; }

    public bool TryGet(string id, int version, out WorkflowDefinition definition) =>
        _byKey.TryGetValue((id, version), out definition!);

    /// <summary>The version new cases of <paramref name="id"/> take.</summary>
    public bool TryGetNewest(string id, out WorkflowDefinition definition) => _newest.TryGetValue(id, out definition!);

    public WorkflowDefinition Get(string id, int version) =>
        TryGet(id, version, out var definition)
            ? definition
            : throw new KeyNotFoundException($"No workflow '{id}' version {version} is loaded.");
}
