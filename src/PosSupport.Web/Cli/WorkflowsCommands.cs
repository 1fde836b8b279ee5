using System.Globalization;
using PosSupport.Core.Workflows;

namespace PosSupport.Web.Cli;

/// <summary><c>workflows validate [DIR]</c> and <c>workflows diagram ID [--version N]</c>.</summary>
public static class WorkflowsCommands
{
    public static int Run(string[] args, string workflowsDirectory, TextWriter output, TextWriter error)
    {
        if (args.Length == 0) return CommandLine.UsageFailure(error, "Missing workflows command: validate or diagram.");
        return args[0] switch
        {
            "validate" when args.Length <= 2 => Validate(args.Length == 2 ? Path.GetFullPath(args[1]) : workflowsDirectory, output, error),
            "validate" => CommandLine.UsageFailure(error, "workflows validate takes at most one directory."),
            "diagram" => Diagram(args[1..], workflowsDirectory, output, error),
            _ => CommandLine.UsageFailure(error, $"Unknown workflows command '{args[0]}'."),
        };
    }

    private static int Validate(string directory, TextWriter output, TextWriter error)
    {
        var result = WorkflowLoader.LoadDirectory(directory);
        if (!result.Succeeded) return Report(result, directory, error);

        var definitions = result.Catalog!.All;
        output.WriteLine($"{definitions.Count} workflow(s) valid: {string.Join(", ", definitions)}");
        return CommandLine.Ok;
    }

    private static int Diagram(string[] args, string directory, TextWriter output, TextWriter error)
    {
        if (!TryParseDiagramArguments(args, out var id, out var version))
            return CommandLine.UsageFailure(error, "Usage: workflows diagram ID [--version N]");

        var result = WorkflowLoader.LoadDirectory(directory);
        if (!result.Succeeded) return Report(result, directory, error);

        var catalog = result.Catalog!;
        var found = version is { } v ? catalog.TryGet(id, v, out var definition) : catalog.TryGetNewest(id, out definition);
        if (!found)
        {
            var known = string.Join(", ", catalog.All);
            error.WriteLine(version is null
                ? $"No workflow '{id}' in {directory}. Loaded: {known}"
                : $"No workflow '{id}' version {version} in {directory}. Loaded: {known}");
            return CommandLine.Failed;
        }
        output.WriteLine(WorkflowDiagram.ToMermaid(definition));
        return CommandLine.Ok;
    }

    private static bool TryParseDiagramArguments(string[] args, out string id, out int? version)
    {
        id = "";
        version = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--version")
            {
                if (version is not null || i + 1 >= args.Length
                    || !int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                    return false;
                version = parsed;
            }
            else if (id.Length == 0 && !args[i].StartsWith('-')) id = args[i];
            else return false;
        }
        return id.Length > 0;
    }

    private static int Report(WorkflowLoadResult result, string directory, TextWriter error)
    {
        foreach (var problem in result.Errors) error.WriteLine(problem);
        error.WriteLine($"{result.Errors.Count} problem(s) in {directory}");
        return CommandLine.Failed;
    }
}
