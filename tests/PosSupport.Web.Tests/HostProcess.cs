using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace PosSupport.Web.Tests;

/// <summary>
/// The built host serving in its own process, configured only by environment variables as an operator would, on a free
/// loopback port. Started once it logs "Now listening on"; killed on dispose.
/// </summary>
public sealed partial class HostProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly TemporaryDirectory _workingDirectory;

    private HostProcess(Process process, TemporaryDirectory workingDirectory)
    {
        _process = process;
        _workingDirectory = workingDirectory;
    }

    public Uri Address { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public string Output { get { lock (_output) return _output.ToString(); } }

    public static async Task<HostProcess> StartAsync(IReadOnlyDictionary<string, string> environment)
    {
        var start = BuiltHost.StartInfo(["--urls", "http://127.0.0.1:0"], environment, out var workingDirectory);
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var host = new HostProcess(process, workingDirectory);
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null) return;
            lock (host._output) host._output.AppendLine(line.Data);
            if (ListeningOn().Match(line.Data) is { Success: true } match) listening.TrySetResult(new Uri(match.Groups[1].Value));
        };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null) lock (host._error) host._error.AppendLine(line.Data);
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The host exited before listening."));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            host.Address = await listening.Task.WaitAsync(StartTimeout);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            await host.DisposeAsync();
            throw new InvalidOperationException($"{e.Message}\n--- stdout\n{host.Output}\n--- stderr\n{host._error}", e);
        }
        host.Client = new HttpClient { BaseAddress = host.Address };
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _workingDirectory.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}
