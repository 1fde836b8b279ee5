using Dapper;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Data;

/// <summary>
/// Stores every loaded definition by (id, version, sha256) at start-up. A published version is immutable: the
/// same (id, version) with other content refuses to start, naming the file, instead of silently changing open cases.
/// </summary>
public static class WorkflowPublication
{
    public static async Task PublishAsync(CaseDatabase database, WorkflowCatalog catalog, TimeProvider clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(clock);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var changed = new List<string>();
        foreach (var definition in catalog.All)
        {
            var stored = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT sha256 FROM workflow_definitions WHERE id = @Id AND version = @Version", new { definition.Id, definition.Version }, transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (stored is null)
                await connection.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO workflow_definitions (id, version, sha256, json, registered_at) VALUES (@Id, @Version, @Sha256, @Json, @now)
                    """, new { definition.Id, definition.Version, definition.Sha256, definition.Json, now = clock.GetUtcNow() }, transaction,
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
            else if (stored != definition.Sha256)
                changed.Add($"{definition.SourceFile}: workflow '{definition.Id}' version {definition.Version} was published with other content " +
                            $"(sha256 {stored[..12]}..., now {definition.Sha256[..12]}...). A published version never changes: " +
                            $"copy the file to {definition.Id}.v{definition.Version + 1}.json and bump 'version'.");
        }
        if (changed.Count > 0) throw new WorkflowChangedException(changed);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}

public sealed class WorkflowChangedException(IReadOnlyList<string> problems) : Exception(string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
