using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Antiforgery;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Users;

namespace PosSupport.Web.Dashboard;

/// <summary>Sign-in and sign-out (form posts, antiforgery checked) and the language switch.</summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/account/signin", (Delegate)SignInAsync).WithMetadata(new RequireAntiforgeryTokenAttribute()).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapPost("/account/signout", (Delegate)SignOutAsync).WithMetadata(new RequireAntiforgeryTokenAttribute()).ExcludeFromDescription();
        endpoints.MapGet("/culture/{culture}", (Delegate)SetCulture).AllowAnonymous().ExcludeFromDescription();
        return endpoints;
    }

    // The antiforgery middleware checks the token of every endpoint marked RequireAntiforgeryToken; a form without a valid
    // one is refused here with 400 before anything is read from it.
    private static bool ForgedForm(HttpContext context) => context.Features.Get<IAntiforgeryValidationFeature>() is not { IsValid: true };

    private static async Task<IResult> SignInAsync(HttpContext context, RequestSender sender, TimeProvider clock)
    {
        if (ForgedForm(context) || !context.Request.HasFormContentType) return Results.BadRequest();
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        string? login = form["Login"], password = form["Password"];
        var returnUrl = LocalOrHome(form["ReturnUrl"]);
        if (string.IsNullOrWhiteSpace(login) || string.IsNullOrEmpty(password)) return Again("missing", returnUrl);
        SignIn.Result result;
        try
        {
            result = await sender.SendAsync(new SignIn.Command(login.Trim(), password), context.RequestAborted);
        }
        catch (ValidationFailedException)
        {
            return Again("failed", returnUrl);
        }
        if (result.Outcome == SignIn.Outcome.LockedOut) return Again("locked", returnUrl);
        if (result.User is not { } user) return Again("failed", returnUrl);
        var staff = new StaffUser(user.Id, user.Login, user.DisplayName, user.Role);
        // Just checked by signing in: the session's next check is due an interval from now.
        var properties = new AuthenticationProperties();
        StaffCookieEvents.Stamp(properties, clock.GetUtcNow());
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, staff.ToPrincipal(CookieAuthenticationDefaults.AuthenticationScheme), properties);
        return Results.LocalRedirect(returnUrl);
    }

    private static async Task<IResult> SignOutAsync(HttpContext context)
    {
        if (ForgedForm(context)) return Results.BadRequest();
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Results.LocalRedirect("/signin");
    }

    private static IResult SetCulture(string culture, string? redirectUri, HttpContext context)
    {
        var chosen = DashboardSetup.Cultures.FirstOrDefault(c => c.Name.Equals(culture, StringComparison.OrdinalIgnoreCase));
        if (chosen is null) return Results.NotFound();
        context.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)),
            new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax, HttpOnly = true });
        return Results.LocalRedirect(LocalOrHome(redirectUri));
    }

    private static IResult Again(string error, string returnUrl) =>
        Results.LocalRedirect($"/signin?error={error}&returnUrl={Uri.EscapeDataString(returnUrl)}");

    /// <summary>Only paths of this site: never an absolute URL or a protocol-relative one (open redirect).</summary>
    internal static string LocalOrHome(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) ? url : "/";
}
