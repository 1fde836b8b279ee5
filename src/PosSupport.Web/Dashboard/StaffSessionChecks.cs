using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;
using PosSupport.Core.Users;

namespace PosSupport.Web.Dashboard;

/// <summary><c>PosSupport:Dashboard</c>: how often a signed-in session is checked against the user as stored now.</summary>
public sealed class DashboardSessionOptions
{
    public const string Section = "PosSupport:Dashboard";

    /// <summary>
    /// Seconds between checks of one cookie (0: every request) and of one open circuit (at least 1 s). A user disabled, locked
    /// out or given another role loses a session within this long.
    /// </summary>
    public int SessionCheckSeconds { get; set; } = 60;

    public TimeSpan CheckInterval => TimeSpan.FromSeconds(Math.Max(0, SessionCheckSeconds));
}

/// <summary>
/// Re-checks a sign-in cookie's user (<see cref="CheckStaffSession"/>) when its last check is older than the interval, and
/// keeps the time of that check in the cookie's properties, so a busy user costs one query a minute, not one a request.
/// A user who is disabled, locked out, gone or has another role now is signed out and must sign in again.
/// </summary>
public sealed class StaffCookieEvents(RequestSender sender, IOptions<DashboardSessionOptions> options, TimeProvider clock) : CookieAuthenticationEvents
{
    internal const string CheckedAtItem = "possupport:checked-at";

    public static void Stamp(AuthenticationProperties properties, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(properties);
        properties.Items[CheckedAtItem] = now.ToString("O", CultureInfo.InvariantCulture);
    }

    public override async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var now = clock.GetUtcNow();
        if (context.Properties.Items.TryGetValue(CheckedAtItem, out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var checkedAt)
            && now - checkedAt < options.Value.CheckInterval && checkedAt <= now)
            return;

        if (context.Principal is { } principal && await StillValidAsync(sender, principal, context.HttpContext.RequestAborted))
        {
            Stamp(context.Properties, now);
            context.ShouldRenew = true;
            return;
        }
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    internal static async Task<bool> StillValidAsync(RequestSender sender, ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        if (StaffUser.From(principal) is not { } user) return false;
        return (await sender.SendAsync(new CheckStaffSession.Query(user.Id, user.Role), cancellationToken)).IsValid;
    }
}

/// <summary>
/// An open Blazor circuit keeps the authentication state it started with; this checks it again every interval, so the
/// pages of a user who was disabled or given another role meanwhile stop working (they are sent to sign in).
/// </summary>
public sealed partial class StaffAuthenticationStateProvider(ILoggerFactory loggers, IServiceScopeFactory scopes, IOptions<DashboardSessionOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggers)
{
    private readonly ILogger _log = loggers.CreateLogger<StaffAuthenticationStateProvider>();

    protected override TimeSpan RevalidationInterval => options.Value.CheckInterval < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : options.Value.CheckInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authenticationState);
        try
        {
            // The circuit's own scope is not for this background loop: a scope per check.
            await using var scope = scopes.CreateAsyncScope();
            return await StaffCookieEvents.StillValidAsync(scope.ServiceProvider.GetRequiredService<RequestSender>(), authenticationState.User, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The base class signs the circuit out on any exception: a check that could not run (a busy database, the host
            // stopping) is no verdict on the user, so the session stands until a check says otherwise.
            CheckFailed(_log, e);
            return true;
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "A dashboard session could not be checked against its user; it stays signed in until the next check")]
    private static partial void CheckFailed(ILogger logger, Exception exception);
}
