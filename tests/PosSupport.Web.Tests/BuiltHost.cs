using System.Diagnostics;
using System.Text;

namespace PosSupport.Web.Tests;

public sealed record ProcessResult(int ExitCode, string Output, string Error)
{
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>
/// Runs the built PosSupport.Web.dll the project reference copies beside the tests, as an operator would:
/// a separate process with its own arguments and environment, killed if it outlives the timeout.
/// </summary>
public static class BuiltHost
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "PosSupport.Web.dll");

    // The test host normally runs under the same dotnet that should run the app; fall back to the one on PATH.
    private static string DotnetHost =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    /// <summary>Settings the test runner's environment must not pass on to the host: each test says what it wants.</summary>
    private static readonly string[] Isolated =
    [
        "ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_ENVIRONMENT", "PosSupport__Workflows__Directory",
        "PosSupport__DataDirectory", "PosSupport__Database__Provider", "ConnectionStrings__PosSupport",
    ];

    /// <summary>How to start the built host in a new temporary working directory (the caller deletes it).</summary>
    public static ProcessStartInfo StartInfo(string[] args, IReadOnlyDictionary<string, string>? environment, out TemporaryDirectory workingDirectory)
    {
        workingDirectory = TemporaryDirectory.Create();
        var start = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory.Path,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var name in Isolated) start.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return start;
    }

    public static async Task<ProcessResult> RunAsync(string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = StartInfo(args, environment, out var temporary);
        using var workingDirectory = temporary;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"PosSupport.Web {string.Join(' ', args)} still running after {Timeout.TotalSeconds}s.\n"
                                       + $"--- stdout\n{await output}\n--- stderr\n{await error}");
        }
        return new ProcessResult(process.ExitCode, await output, await error);
    }
}
