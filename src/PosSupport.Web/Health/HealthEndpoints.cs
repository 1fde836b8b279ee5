using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using PosSupport.Core.Workflows;

namespace PosSupport.Web.Health;

public sealed record HealthReport(string Status, int Workflows, string Version);

public static class HealthEndpoints
{
    private static readonly string Version =
        typeof(HealthEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(HealthEndpoints).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    public static RouteHandlerBuilder MapHealth(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/health", Report).WithTags("Health");

    // The catalog is loaded and validated before the host listens, so a running host with a catalog is healthy.
    private static Ok<HealthReport> Report(WorkflowCatalog catalog) =>
        TypedResults.Ok(new HealthReport("healthy", catalog.All.Count, Version));
}
