using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.RateLimiting;
using PosSupport.Core.Data;
using PosSupport.Core.Workflows;
using PosSupport.Web.Api.Access;
using PosSupport.Web.Api.Cases;
using PosSupport.Web.Api.Evidence;
using PosSupport.Web.Api.Idempotency;
using PosSupport.Web.Api.Offers;
using PosSupport.Web.Api.Problems;
using PosSupport.Web.Api.Webhooks;
using Scalar.AspNetCore;

namespace PosSupport.Web.Api;

/// <summary>The REST API for chat channels and integrations: registration and the /api/v1 pipeline.</summary>
public static class ApiServices
{
    public const string RateLimitPolicy = "api-client";

    /// <summary>The "ApiKey" scheme and its policies, per-client rate limits, problem documents, and the OpenAPI document.</summary>
    public static IServiceCollection AddPosSupportApi(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new ApiOptions();
        configuration.GetSection(ApiOptions.Section).Bind(options);
        options.Validate();
        services.AddSingleton(options);

        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiCaller.Policy, policy => policy.AddAuthenticationSchemes(ApiKeyAuthentication.SchemeName).RequireAuthenticatedUser())
            .AddPolicy(ApiCaller.StaffPolicy, policy => policy.AddAuthenticationSchemes(ApiKeyAuthentication.SchemeName).RequireAuthenticatedUser()
                .RequireClaim(ApiKeyAuthentication.RoleClaim, "agent", "supervisor", "admin"))
            .AddPolicy(ApiCaller.SupervisorPolicy, policy => policy.AddAuthenticationSchemes(ApiKeyAuthentication.SchemeName).RequireAuthenticatedUser()
                .RequireClaim(ApiKeyAuthentication.RoleClaim, "supervisor", "admin"));

        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(RateLimitPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.User.Identity?.IsAuthenticated == true ? ApiCaller.ClientId(context.User).ToString("D") : "anonymous",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.RateLimitPermits, Window = TimeSpan.FromSeconds(options.RateLimitWindowSeconds), QueueLimit = 0,
                }));
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var context = rejected.HttpContext;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(options.RateLimitWindowSeconds);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await ApiProblems.Write(context, ApiProblems.Create(context, "rate-limited", new LocalizedText(
                    $"This client sent more than {options.RateLimitPermits} requests in {options.RateLimitWindowSeconds} s; retry after {seconds} s.",
                    $"该客户端在 {options.RateLimitWindowSeconds} 秒内的请求超过 {options.RateLimitPermits} 次；请在 {seconds} 秒后重试。")));
            };
        });

        // Binding failures throw, so that the API's error middleware answers them with the field at fault.
        services.Configure<RouteHandlerOptions>(route => route.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(json => json.SerializerOptions.AllowTrailingCommas = false);
        services.AddProblemDetails(problems =>
        {
            var earlier = problems.CustomizeProblemDetails;
            problems.CustomizeProblemDetails = context =>
            {
                earlier?.Invoke(context);
                if (context.HttpContext.Request.Path.StartsWithSegments("/api/v1")) ApiProblems.Stamp(context.HttpContext, context.ProblemDetails);
            };
        });
        var webhooks = new WebhookOptions();
        configuration.GetSection(WebhookOptions.Section).Bind(webhooks);
        webhooks.Validate();
        services.AddSingleton(webhooks);
        services.AddHttpClient(WebhookSender.HttpClientName);
        services.AddScoped<WebhookSender>();
        services.AddScoped<WebhookSweepJob>();
        services.AddScoped<MediatR.INotificationHandler<Core.Webhooks.WebhooksQueued>, WebhookOutbox>();
        services.AddScoped<MediatR.INotificationHandler<Core.Webhooks.WebhookDeliveryRequeued>, WebhookRetryRelay>();
        services.AddScoped<Idempotency.IdempotencyPurgeJob>();
        services.AddHostedService<ApiRecurringJobsRegistration>();

        services.AddOpenApi("v1", openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "PosSupport API";
            document.Info.Description = "Cases, evidence and offers for chat channels and integrations. Authenticate with 'Authorization: Bearer KEY' " +
                                        "(apikeys create); every POST takes an Idempotency-Key header.";
            return Task.CompletedTask;
        }));
        return services;
    }

    /// <summary>
    /// The /api/v1 routes with their pipeline (rate limit, then for the API's paths: language and error mapping, Idempotency-Key,
    /// error mapping again inside so that stored responses include errors), the OpenAPI document and the Scalar UI.
    /// Authentication and authorization run before this (WebApplication adds them after routing).
    /// </summary>
    public static WebApplication MapPosSupportApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseRateLimiter();
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api/v1"), api => api
            .UseMiddleware<ApiErrorsMiddleware>()
            .UseMiddleware<IdempotencyMiddleware>()
            .UseMiddleware<ApiErrorsMiddleware>());

        var options = app.Services.GetRequiredService<PosSupportOptions>();
        var v1 = app.MapGroup("/api/v1").RequireAuthorization(ApiCaller.Policy).RequireRateLimiting(RateLimitPolicy)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        v1.MapCases();
        v1.MapEvidence(options);
        v1.MapOffers();

        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/scalar", scalar => scalar.WithTitle("PosSupport API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        return app;
    }
}
