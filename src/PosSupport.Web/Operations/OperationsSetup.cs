using Microsoft.AspNetCore.DataProtection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using PosSupport.Core.Data;
using PosSupport.Core.Metrics;

namespace PosSupport.Web.Operations;

/// <summary>
/// What operators need to run several nodes and watch them: OpenTelemetry metrics (the <c>PosSupport</c> meter and ASP.NET
/// Core's own) exported as Prometheus text at <c>/metrics</c>, and data-protection keys kept in the data directory under one
/// application name, so every node sharing that directory reads the others' sign-in and antiforgery cookies. See
/// docs/operations.md.
/// </summary>
public static class OperationsSetup
{
    public const string MetricsPath = "/metrics";
    public const string ApplicationName = "PosSupport";

    public static IServiceCollection AddOperations(this IServiceCollection services, PosSupportOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(MetricsAccess.From(configuration));
        // Prometheus labels each node by its scrape target; a generated instance id would only add a random value to target_info.
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ApplicationName, autoGenerateServiceInstanceId: false))
            .WithMetrics(metrics => metrics
            .AddMeter(PosSupportMetrics.MeterName)
            // .NET's own runtime meter: managed heap after the last collection, GC counts and pauses, thread-pool queue,
            // working set. Beside the process's resident memory it tells a managed leak from native growth.
            .AddMeter("System.Runtime")
            .AddAspNetCoreInstrumentation()
            .AddPrometheusExporter());

        // The default key ring lives in the user's profile (or only in memory when there is none) and is scoped by the content
        // root path: a restart in a container, another machine or another install path would refuse every cookie issued before.
        services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToFileSystem(new DirectoryInfo(KeysDirectory(options)));
        services.AddSingleton<HangfireProbe>();
        return services;
    }

    public static string KeysDirectory(PosSupportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Path.Combine(Path.GetFullPath(options.DataDirectory), "keys");
    }

    /// <summary>Prometheus text at <c>/metrics</c> for the allowed addresses (403 for others; 404 when turned off).</summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var access = endpoints.ServiceProvider.GetRequiredService<MetricsAccess>();
        if (!access.Enabled) return endpoints;
        endpoints.MapPrometheusScrapingEndpoint(MetricsPath, meterProvider: null, configureBranchedPipeline: branch => branch.Use(async (context, next) =>
        {
            if (!access.Allows(context.Connection.RemoteIpAddress))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }
            await next(context).ConfigureAwait(false);
        }), optionsName: null);
        return endpoints;
    }
}
