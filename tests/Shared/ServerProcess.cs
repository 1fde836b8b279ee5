using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace PosSupport.Testing;

/// <summary>How to start the web host as its own process: provider, database, data directory, port, extra settings.</summary>
/// <param name="Provider"><c>sqlite</c> or <c>postgres</c>.</param>
/// <param name="ConnectionString">PostgreSQL only; SQLite keeps its file in <paramref name="DataDirectory"/>.</param>
/// <param name="DataDirectory">The host's data directory (SQLite file, evidence); also its working directory.</param>
/// <param name="Port">A fixed port (to restart a killed host where clients expect it), or 0 for a free one.</param>
/// <param name="Settings">Configuration as environment variables, e.g. <c>PosSupport__Api__RateLimitPermits</c>.</param>
public sealed record ServerOptions(
    string Provider,
    string? ConnectionString,
    string DataDirectory,
    int Port = 0,
    IReadOnlyDictionary<string, string>? Settings = null)
{
    /// <summary>The same host settings on another port (a second node on the same database).</summary>
    public ServerOptions OnPort(int port) => this with { Port = port };
}

/// <summary>
/// The real web host (src/PosSupport.Web, as built) running as a separate process on 127.0.0.1. Used by the load and
/// fault driver and by the CI-sized fault tests: start, wait for <c>/health</c>, stop with SIGTERM, or
/// <see cref="Kill"/> with SIGKILL as a crash. The host's output is kept (last lines) for failure messages.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private const int KeptLines = 400;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;

    private ServerProcess(Process process, int port, ConcurrentQueue<string> output, TimeSpan startedIn)
    {
        _process = process;
        Port = port;
        _output = output;
        StartedIn = startedIn;
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    /// <summary>From process start to the first successful <c>/health</c>.</summary>
    public TimeSpan StartedIn { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The host's last lines of standard output and error.</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    public static async Task<ServerProcess> StartAsync(ServerOptions options, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var port = options.Port != 0 ? options.Port : FreePort();
        var info = StartInfo(options, ["--urls", $"http://127.0.0.1:{port}"]);
        var output = new ConcurrentQueue<string>();
        var clock = Stopwatch.StartNew();
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the web host.");
        void Keep(string? line)
        {
            if (line is null) return;
            output.Enqueue(line);
            while (output.Count > KeptLines) output.TryDequeue(out _);
        }
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = clock.Elapsed + (timeout ?? TimeSpan.FromSeconds(90));
        while (clock.Elapsed < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                process.WaitForExit();
                throw new InvalidOperationException(
                    $"The web host exited with {process.ExitCode} while starting:{Environment.NewLine}{string.Join(Environment.NewLine, output)}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health"), cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode) return new ServerProcess(process, port, output, clock.Elapsed);
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested) { }
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
        throw new InvalidOperationException($"The web host did not answer /health in time:{Environment.NewLine}{string.Join(Environment.NewLine, output)}");
    }

    /// <summary>
    /// Runs a CLI verb of the host (e.g. <c>apikeys create NAME --role channel</c>, <c>seed-demo</c>, <c>migrate</c>) with
    /// the same settings, and returns its standard output; throws with its output when it fails.
    /// </summary>
    public static async Task<string> RunVerbAsync(ServerOptions options, IEnumerable<string> arguments, string? standardInput = null,
        CancellationToken cancellationToken = default)
    {
        var info = StartInfo(options, arguments);
        info.RedirectStandardInput = true;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the web host's CLI.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (standardInput is not null) await process.StandardInput.WriteAsync(standardInput).ConfigureAwait(false);
        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var text = await stdout.ConfigureAwait(false);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"'{string.Join(' ', info.ArgumentList.Skip(1))}' exited with {process.ExitCode}: {text}{await stderr.ConfigureAwait(false)}");
        return text;
    }

    /// <summary>Creates an API client with the CLI verb and returns its key (the verb prints it as its last line).</summary>
    public static async Task<string> CreateApiKeyAsync(ServerOptions options, string name, string role, string? webhookUrl = null,
        CancellationToken cancellationToken = default)
    {
        List<string> arguments = ["apikeys", "create", name, "--role", role];
        if (webhookUrl is not null) arguments.AddRange(["--webhook-url", webhookUrl]);
        var output = await RunVerbAsync(options, arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
    }

    /// <summary>SIGKILL: the process gets no chance to flush, finish requests or stop Hangfire — a crash.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        using (var kill = Process.Start("kill", ["-KILL", _process.Id.ToString(CultureInfo.InvariantCulture)])) kill!.WaitForExit();
        _process.WaitForExit();
    }

    /// <summary>SIGTERM and wait for a graceful stop; SIGKILL if it takes longer than <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (_process.HasExited) return;
        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])) await term!.WaitForExitAsync().ConfigureAwait(false);
        using var wait = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(20));
        try { await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { Kill(); }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    /// <summary>The built web host: src/PosSupport.Web/bin/(Release|Debug)/net10.0/PosSupport.Web.dll, same configuration as the caller.</summary>
    public static string WebHostDll()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "PosSupport.sln"))) directory = directory.Parent;
        if (directory is null) throw new InvalidOperationException("Run from the repository: PosSupport.sln was not found above " + AppContext.BaseDirectory);
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(directory.FullName, "src", "PosSupport.Web", "bin", configuration, "net10.0", "PosSupport.Web.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build src/PosSupport.Web ({configuration}).");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static ProcessStartInfo StartInfo(ServerOptions options, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = options.DataDirectory,
        };
        info.ArgumentList.Add(WebHostDll());
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["PosSupport__Database__Provider"] = options.Provider;
        info.Environment["PosSupport__DataDirectory"] = options.DataDirectory;
        if (options.ConnectionString is not null) info.Environment["ConnectionStrings__PosSupport"] = options.ConnectionString;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in options.Settings ?? new Dictionary<string, string>()) info.Environment[key] = value;
        return info;
    }
}

/// <summary>A temporary directory, deleted on dispose: under the system's temporary directory, or under <paramref name="parent"/>.</summary>
public sealed class TempDirectory(string? parent = null) : IDisposable
{
    public string Path { get; } = parent is null
        ? Directory.CreateTempSubdirectory("possupport-").FullName
        : Directory.CreateDirectory(System.IO.Path.Combine(parent, "possupport-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
