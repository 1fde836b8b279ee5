using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PosSupport.Core.Data;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Tests.Support;

/// <summary>
/// A deployment before and after version 3 of data-fee-cancellation: a fresh database whose cases are opened on
/// version 2, the newest shipped (<see cref="Before"/>), and a second host on the same database and clock that loaded version 3 as well,
/// as the application would after the new file was added and it restarted.
/// </summary>
public sealed class MigrationWorld : IAsyncDisposable
{
    private readonly ServiceProvider _after;

    private MigrationWorld(SliceFixture before, ServiceProvider after)
    {
        Before = before;
        _after = after;
    }

    public SliceFixture Before { get; }

    public static async Task<MigrationWorld> CreateAsync<TFixture>(bool publishVersion3 = true) where TFixture : SliceFixture, new()
    {
        var before = new TFixture();
        await before.InitializeAsync();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(before.Logs));
        services.AddSingleton<TimeProvider>(before.Clock);
        services.AddPosSupportCore(before.Options, DataFeeVersion3.Catalog);
        var after = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        if (publishVersion3)
            await WorkflowPublication.PublishAsync(after.GetRequiredService<CaseDatabase>(), DataFeeVersion3.Catalog, before.Clock, CancellationToken.None);
        return new MigrationWorld(before, after);
    }

    /// <summary>Sends through the host that knows version 3.</summary>
    public async Task<T> SendAfterAsync<T>(IRequest<T> request)
    {
        await using var scope = _after.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request);
    }

    public async ValueTask DisposeAsync()
    {
        await _after.DisposeAsync();
        await Before.DisposeAsync();
    }
}

/// <summary>
/// The shipped workflows plus data-fee-cancellation v3, written into a temporary workflows directory the way an author
/// would make it: copy the newest shipped version (v2), bump the version, rename <c>collecting-evidence</c> to <c>gathering-evidence</c> and remind
/// every two days instead of daily.
/// </summary>
public static class DataFeeVersion3
{
    private static readonly Lazy<WorkflowCatalog> Lazy = new(Build);

    public static WorkflowCatalog Catalog => Lazy.Value;

    private static WorkflowCatalog Build()
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "workflows");
        var directory = Directory.CreateTempSubdirectory("possupport-workflows-v3-").FullName;
        foreach (var file in Directory.EnumerateFiles(shipped, "*.json"))
            File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        var json = File.ReadAllText(Path.Combine(shipped, "data-fee-cancellation.v2.json"));
        json = Replace(json, "\"version\": 2,", "\"version\": 3,");
        json = Replace(json, "\"collecting-evidence\"", "\"gathering-evidence\"");
        json = Replace(json, "{\"after\": \"P1D\", \"remind\": \"evidence-missing\", \"repeat\": 3, \"every\": \"P1D\"}",
            "{\"after\": \"P2D\", \"remind\": \"evidence-missing\", \"repeat\": 3, \"every\": \"P2D\"}");
        File.WriteAllText(Path.Combine(directory, "data-fee-cancellation.v3.json"), json);

        var result = WorkflowLoader.LoadDirectory(directory);
        if (!result.Succeeded) throw new InvalidOperationException(string.Join(Environment.NewLine, result.Errors));
        return result.Catalog!;
    }

    private static string Replace(string json, string old, string replacement) =>
        json.Contains(old, StringComparison.Ordinal)
            ? json.Replace(old, replacement, StringComparison.Ordinal)
            : throw new InvalidOperationException($"data-fee-cancellation.v2.json no longer contains {old}; update the v3 recipe.");
}
