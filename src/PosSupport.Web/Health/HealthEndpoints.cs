using System.Data.Common;
using System.Net.Sockets;
using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using PosSupport.Core.Data;
using PosSupport.Core.Workflows;

namespace PosSupport.Web.Health;

public sealed record HealthReport(string Status, int Workflows, string Version, DatabaseHealth Database);

/// <param name="Provider"><c>sqlite</c> or <c>postgres</c>.</param>
/// <param name="Status"><c>ok</c>, or <c>unreachable</c> when a <c>SELECT 1</c> fails or takes longer than <see cref="HealthEndpoints.DatabaseTimeout"/>.</param>
public sealed record DatabaseHealth(string Provider, string Status);

public static class HealthEndpoints
{
    public static readonly TimeSpan DatabaseTimeout = TimeSpan.FromSeconds(5);

    private static readonly string Version =
        typeof(HealthEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(HealthEndpoints).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    public static RouteHandlerBuilder MapHealth(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/health", Report).WithTags("Health");

    // The catalog is loaded and validated before the host listens; what can fail later is the database.
    private static async Task<Results<Ok<HealthReport>, JsonHttpResult<HealthReport>>> Report(WorkflowCatalog catalog, CaseDatabase database,
        CancellationToken cancellationToken)
    {
        var provider = database.Provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres";
        var reachable = await CanQueryAsync(database, cancellationToken).ConfigureAwait(false);
        var report = new HealthReport(reachable ? "healthy" : "unhealthy", catalog.All.Count, Version,
            new DatabaseHealth(provider, reachable ? "ok" : "unreachable"));
        return reachable ? TypedResults.Ok(report) : TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
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
