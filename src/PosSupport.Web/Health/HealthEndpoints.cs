using System.Data.Common;
using System.Net.Sockets;
using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using PosSupport.Core.Data;
using PosSupport.Core.Workflows;
using PosSupport.Web.Operations;

namespace PosSupport.Web.Health;

public sealed record HealthReport(string Status, int Workflows, string Version, DatabaseHealth Database, HangfireHealth Hangfire);

/// <param name="Provider"><c>sqlite</c> or <c>postgres</c>.</param>
/// <param name="Status"><c>ok</c>, or <c>unreachable</c> when a <c>SELECT 1</c> fails or takes longer than <see cref="HealthEndpoints.DatabaseTimeout"/>.</param>
public sealed record DatabaseHealth(string Provider, string Status);

/// <param name="Status"><c>ok</c>; <c>no-server</c> when no Hangfire server (on any node sharing the storage) has beaten within
/// <see cref="HangfireProbe.HeartbeatTolerance"/>; <c>unreachable</c> when its storage does not answer.</param>
/// <param name="Servers">Servers alive (all nodes on PostgreSQL; this process on SQLite).</param>
public sealed record HangfireHealth(string Status, int Servers);

public static class HealthEndpoints
{
    public static readonly TimeSpan DatabaseTimeout = TimeSpan.FromSeconds(5);

    private static readonly string Version =
        typeof(HealthEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(HealthEndpoints).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    public static RouteHandlerBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var probe = endpoints.ServiceProvider.GetRequiredService<HangfireProbe>();
        endpoints.ServiceProvider.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(probe.HostStarted);
        return endpoints.MapGet("/health", Report).WithTags("Health");
    }

    // The catalog is loaded and validated before the host listens; what can fail later is the database and Hangfire.
    private static async Task<Results<Ok<HealthReport>, JsonHttpResult<HealthReport>>> Report(WorkflowCatalog catalog, CaseDatabase database,
        HangfireProbe hangfire, CancellationToken cancellationToken)
    {
        var provider = database.Provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres";
        var databaseCheck = CanQueryAsync(database, cancellationToken);
        var jobs = await hangfire.CheckAsync(cancellationToken).ConfigureAwait(false);
        var reachable = await databaseCheck.ConfigureAwait(false);
        var healthy = reachable && jobs.Status == "ok";
        var report = new HealthReport(healthy ? "healthy" : "unhealthy", catalog.All.Count, Version,
            new DatabaseHealth(provider, reachable ? "ok" : "unreachable"), new HangfireHealth(jobs.Status, jobs.Servers));
        return healthy ? TypedResults.Ok(report) : TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<bool> CanQueryAsync(CaseDatabase database, CancellationToken requestAborted)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        timeout.CancelAfter(DatabaseTimeout);
        try
        {
            await using var connection = await database.OpenAsync(timeout.Token).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            return Convert.ToInt32(await command.ExecuteScalarAsync(timeout.Token).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) == 1;
        }
        catch (Exception e) when (e is DbException or SocketException or TimeoutException or IOException
                                      || (e is OperationCanceledException && !requestAborted.IsCancellationRequested))
        {
            return false;
        }
    }
}
