using System.Text.Json;
using System.Text.Json.Nodes;

namespace PosSupport.Web.Tests;

/// <summary>The workflow files the build copies beside the tests, and broken copies of them in temporary directories.</summary>
public static class ShippedWorkflows
{
    public static readonly string[] Ids = ["data-fee-cancellation", "device-replacement", "fee-rate-dispute"];

    /// <summary>Every workflow ships versions 1 (the first published) and 2 (which added withdraw-offer); new cases take 2.</summary>
    public const int NewestVersion = 2;

    public static int DefinitionCount => Ids.Length * NewestVersion;

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "workflows");

    public static JsonElement Read(string id, int version = NewestVersion)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, $"{id}.v{version}.json")));
        return document.RootElement.Clone();
    }

    /// <summary>A copy of the shipped workflows in which <paramref name="id"/>'s initial state names no state.</summary>
    public static TemporaryDirectory CopyWithUnknownInitialState(string id)
    {
        var copy = TemporaryDirectory.Create();
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.json"))
            File.Copy(file, Path.Combine(copy.Path, Path.GetFileName(file)));

        var broken = Path.Combine(copy.Path, $"{id}.v1.json");
        var root = JsonNode.Parse(File.ReadAllText(broken))!;
        root["initialState"] = "no-such-state";
        File.WriteAllText(broken, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return copy;
    }
}

public sealed class TemporaryDirectory : IDisposable
{
    private TemporaryDirectory(string path) => Path = path;

    public string Path { get; }

    public static TemporaryDirectory Create()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "possupport-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(path);
        return new TemporaryDirectory(path);
    }

    public void Dispose() => System.IO.Directory.Delete(Path, recursive: true);
}
