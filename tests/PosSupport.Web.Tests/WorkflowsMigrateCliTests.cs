using System.Text.Json;
using System.Text.Json.Nodes;

namespace PosSupport.Web.Tests;

/// <summary><c>workflows migrate</c> through the built host: open cases move to a new version only with an explicit state map.</summary>
public sealed class WorkflowsMigrateCliTests
{
    private const string Id = "data-fee-cancellation";

    /// <summary>Shipped workflows (v1 and v2) plus a v3 of the data-fee workflow in which collecting-evidence is renamed gathering-evidence.</summary>
    private static (TemporaryDirectory Workflows, string[] MovableStates) WorkflowsWithVersion3()
    {
        var copy = TemporaryDirectory.Create();
        foreach (var file in Directory.EnumerateFiles(ShippedWorkflows.Directory, "*.json"))
            File.Copy(file, Path.Combine(copy.Path, Path.GetFileName(file)));
        var v2 = File.ReadAllText(Path.Combine(copy.Path, $"{Id}.v2.json"));
        // Only states a case can still be open or resolved in are mapped: a migration never closes a case.
        var states = JsonNode.Parse(v2)!["states"]!.AsObject().Where(s => s.Value!["kind"]!.GetValue<string>() != "final").Select(s => s.Key).ToArray();
        var v3 = JsonNode.Parse(v2.Replace("collecting-evidence", "gathering-evidence", StringComparison.Ordinal))!;
        v3["version"] = 3;
        File.WriteAllText(Path.Combine(copy.Path, $"{Id}.v3.json"), v3.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return (copy, states);
    }

    [Fact]
    public async Task Open_cases_move_to_the_new_version_with_their_states_mapped_after_a_dry_run_that_writes_nothing()
    {
        using var data = TemporaryDirectory.Create();
        using var original = TemporaryDirectory.Create();
        foreach (var file in Directory.EnumerateFiles(ShippedWorkflows.Directory, "*.json"))
            File.Copy(file, Path.Combine(original.Path, Path.GetFileName(file)));
        Assert.Equal(0, (await BuiltHost.RunAsync(["seed-demo"], new Dictionary<string, string>
        {
            ["PosSupport__DataDirectory"] = data.Path, ["PosSupport__Workflows__Directory"] = original.Path,
        })).ExitCode);
        var (workflows, states) = WorkflowsWithVersion3();
        using var _ = workflows;
        var environment = new Dictionary<string, string> { ["PosSupport__DataDirectory"] = data.Path, ["PosSupport__Workflows__Directory"] = workflows.Path };
        var map = string.Join(',', states.Select(s => s == "collecting-evidence" ? "collecting-evidence=gathering-evidence" : $"{s}={s}"));

        var dryRun = await BuiltHost.RunAsync(["workflows", "migrate", Id, "--to", "3", "--map", map, "--dry-run"], environment);
        Assert.Equal(0, dryRun.ExitCode);
        Assert.Contains("would move to version 3; nothing written.", dryRun.Output, StringComparison.Ordinal);
        Assert.Contains("collecting-evidence -> v3 gathering-evidence", dryRun.Output, StringComparison.Ordinal);

        var moved = await BuiltHost.RunAsync(["workflows", "migrate", Id, "--to", "3", "--map", map], environment);
        Assert.Equal(0, moved.ExitCode);
        Assert.Matches(@"Moved [1-9]\d* open case\(s\) of data-fee-cancellation to version 3\.", moved.Output);

        var again = await BuiltHost.RunAsync(["workflows", "migrate", Id, "--to", "3", "--map", map], environment);
        Assert.Contains("Moved 0 open case(s)", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_map_that_leaves_states_of_open_cases_unmapped_is_refused_naming_each_one()
    {
        using var data = TemporaryDirectory.Create();
        Assert.Equal(0, (await BuiltHost.RunAsync(["seed-demo"], new Dictionary<string, string> { ["PosSupport__DataDirectory"] = data.Path })).ExitCode);
        var (workflows, _) = WorkflowsWithVersion3();
        using var _ = workflows;

        var refused = await BuiltHost.RunAsync(["workflows", "migrate", Id, "--to", "3", "--map", "collecting-evidence=gathering-evidence"],
            new Dictionary<string, string> { ["PosSupport__DataDirectory"] = data.Path, ["PosSupport__Workflows__Directory"] = workflows.Path });

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("StateMap.negotiating:", refused.Error, StringComparison.Ordinal);
        Assert.Contains("StateMap.escalated:", refused.Error, StringComparison.Ordinal);
    }
}
