using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using PosSupport.Core.Pipeline;

namespace PosSupport.Web.Dashboard;

/// <summary>The signed-in staff member, from the sign-in cookie's claims.</summary>
public sealed record StaffUser(Guid Id, string Login, string DisplayName, string Role)
{
    public const string DisplayNameClaim = "possupport:display_name";

    /// <summary>Admins act as supervisors in workflows.</summary>
    public bool IsSupervisor => Role is StaffPolicies.SupervisorRole or StaffPolicies.AdminRole;

    public bool IsAdmin => Role == StaffPolicies.AdminRole;

    public Caller Caller => IsAdmin ? Caller.Admin(Id) : IsSupervisor ? Caller.Supervisor(Id) : Caller.Agent(Id);

    public static StaffUser? From(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.Identity?.IsAuthenticated != true) return null;
        if (!Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id)) return null;
        var role = principal.FindFirstValue(ClaimTypes.Role);
        if (role is not (StaffPolicies.AgentRole or StaffPolicies.SupervisorRole or StaffPolicies.AdminRole)) return null;
        var login = principal.FindFirstValue(ClaimTypes.Name) ?? "";
        return new StaffUser(id, login, principal.FindFirstValue(DisplayNameClaim) ?? login, role);
    }

    public ClaimsPrincipal ToPrincipal(string scheme) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, Id.ToString("D")), new Claim(ClaimTypes.Name, Login),
            new Claim(DisplayNameClaim, DisplayName), new Claim(ClaimTypes.Role, Role),
        ], scheme));
}

/// <summary>Who is using this circuit.</summary>
public sealed class StaffSession(AuthenticationStateProvider authentication)
{
    public async Task<StaffUser> CurrentAsync()
    {
        var state = await authentication.GetAuthenticationStateAsync();
        return StaffUser.From(state.User) ?? throw new InvalidOperationException("The dashboard page was rendered without a signed-in staff member.");
    }
}
