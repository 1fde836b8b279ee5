using System.Security.Claims;
using System.Text.Encodings.Web;
using MediatR;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using PosSupport.Core.ApiClients;
using PosSupport.Core.Pipeline;
using PosSupport.Web.Api.Problems;

namespace PosSupport.Web.Api.Access;

/// <summary>
/// The "ApiKey" scheme: <c>Authorization: Bearer KEY</c>, looked up by its hash. Not the default scheme (the dashboard's
/// cookie is); the API's policies name it. Challenges and refusals answer with problem documents.
/// </summary>
public sealed class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string RoleClaim = "possupport:api-role";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.Fail("Not a bearer key.");
        var key = header["Bearer ".Length..].Trim();
        var client = await Context.RequestServices.GetRequiredService<IMediator>().Send(new AuthenticateApiClient.Query(key), Context.RequestAborted);
        if (client is null) return AuthenticateResult.Fail("Unknown or revoked key.");
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, client.Id.ToString("D")),
            new Claim(ClaimTypes.Name, client.Name),
            new Claim(RoleClaim, client.Role),
        ], SchemeName, ClaimTypes.Name, RoleClaim);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return ApiProblems.Write(Context, ApiProblems.Unauthorized(Context));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiProblems.Write(Context, ApiProblems.Forbidden(Context, null));
}

/// <summary>Who an authenticated API client is, as a <see cref="Caller"/> of the case store.</summary>
public static class ApiCaller
{
    public const string Policy = "api";
    public const string StaffPolicy = "api-staff";
    public const string SupervisorPolicy = "api-supervisor";

    public static Guid ClientId(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!);
    }

    public static string Role(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindFirstValue(ApiKeyAuthentication.RoleClaim) ?? "";
    }

    /// <summary>A channel speaks for the merchant and sees its own cases; agents act as agents; supervisors and admins as supervisors.</summary>
    public static Caller Of(ClaimsPrincipal user)
    {
        var id = ClientId(user);
        return Role(user) switch
        {
            "channel" => Caller.Channel(id),
            "agent" => Caller.Agent(id),
            "supervisor" => Caller.Supervisor(id),
            "admin" => Caller.Admin(id),
            var role => throw new InvalidOperationException($"API client role '{role}' has no caller."),
        };
    }

    public static bool IsChannel(ClaimsPrincipal user) => Role(user) == "channel";
}
