using PosSupport.Core.Workflows;

namespace PosSupport.Web.Hosting;

/// <summary>Loads the workflow catalog before the host is built: a broken definition must keep the app from listening.</summary>
public static class WorkflowStartup
{
    /// <summary>The catalog, or null after writing every problem to <paramref name="error"/>.</summary>
    public static WorkflowCatalog? Load(string directory, TextWriter error)
    {
        var result = WorkflowLoader.LoadDirectory(directory);
        if (result.Succeeded) return result.Catalog;

        error.WriteLine($"PosSupport cannot start: {result.Errors.Count} problem(s) in the workflow definitions in {directory}");
        foreach (var problem in result.Errors) error.WriteLine(problem);
        return null;
    }
}
