using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace PosSupport.Core.Workflows;

/// <summary>One problem in a workflow file, printed as <c>file: json-path: message</c>.</summary>
public sealed record WorkflowError(string File, string Path, string Message)
{
    public override string ToString() => $"{File}: {Path}: {Message}";
}

public sealed record WorkflowLoadResult(WorkflowCatalog? Catalog, IReadOnlyList<WorkflowError> Errors)
{
    [MemberNotNullWhen(true, nameof(Catalog))]
    public bool Succeeded => Catalog is not null && Errors.Count == 0;
}

/// <summary>
/// Reads workflow definitions and reports every problem in them, not just the first. A catalog is returned
/// only when all files are valid: a broken file must never start the product.
/// </summary>
public static class WorkflowLoader
{
    public const string SchemaFileName = "workflow.schema.json";

    public static WorkflowLoadResult LoadDirectory(string directory, GuardRegistry? guards = null)
    {
        if (!Directory.Exists(directory))
            return new(null, [new WorkflowError(directory, JsonPath.Root, "directory does not exist")]);
        var files = Directory.EnumerateFiles(directory, "*.json")
            .Where(f => !Path.GetFileName(f).Equals(SchemaFileName, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), File.ReadAllBytes(f)))
            .ToList();
        if (files.Count == 0)
            return new(null, [new WorkflowError(directory, JsonPath.Root, "no workflow definitions (*.json) found")]);
        return Load(files, guards);
    }

    /// <summary>Loads files given as (file name, UTF-8 bytes); names are used in error lines and checked against id and version.</summary>
    public static WorkflowLoadResult Load(IEnumerable<(string FileName, byte[] Content)> files, GuardRegistry? guards = null)
    {
        guards ??= GuardRegistry.Default;
        var errors = new List<WorkflowError>();
        var definitions = new List<WorkflowDefinition>();
        foreach (var (fileName, content) in files)
        {
            var fileErrors = new List<WorkflowError>();
            var definition = LoadFile(fileName, content, guards, (path, message) => fileErrors.Add(new(fileName, path, message)));
            errors.AddRange(fileErrors);
            if (definition is not null && fileErrors.Count == 0) definitions.Add(definition);
        }

        foreach (var group in definitions.GroupBy(d => (d.Id, d.Version)).Where(g => g.Count() > 1))
            foreach (var duplicate in group.Skip(1))
                errors.Add(new(duplicate.SourceFile, "$.version",
                    $"workflow '{group.Key.Id}' version {group.Key.Version} is also defined in {group.First().SourceFile}"));

        return errors.Count == 0 ? new(new WorkflowCatalog(definitions), errors) : new(null, errors);
    }

    private static WorkflowDefinition? LoadFile(string fileName, byte[] content, GuardRegistry guards, Action<string, string> error)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(content, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e)
        {
            var line = (e.LineNumber ?? 0) + 1;
            var column = (e.BytePositionInLine ?? 0) + 1;
            error(string.IsNullOrEmpty(e.Path) ? JsonPath.Root : e.Path,
                string.Create(CultureInfo.InvariantCulture, $"invalid JSON at line {line}, column {column}: {FirstSentence(e.Message)}"));
            return null;
        }

        using (document)
        {
            var schemaErrors = 0;
            SchemaValidator.Embedded.Validate(document.RootElement, (path, message) => { schemaErrors++; error(path, message); });
            // Rules about meaning need a well-formed document; structural problems are reported first, all of them.
            if (schemaErrors > 0) return null;

            var definition = WorkflowReader.Read(fileName, content, document.RootElement);
            WorkflowRules.Check(definition, guards, error);

            var expected = $"{definition.Id}.v{definition.Version.ToString(CultureInfo.InvariantCulture)}.json";
            if (!fileName.Equals(expected, StringComparison.Ordinal))
                error(JsonPath.Root, $"file name must be '{expected}' (one file per workflow and version)");
            return definition;
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0) cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
    }

    internal static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    internal static string Text(byte[] content) => Encoding.UTF8.GetString(content);
}
