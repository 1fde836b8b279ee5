using System.Globalization;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Localization;
using MudBlazor.Services;
using PosSupport.Web.Components;

namespace PosSupport.Web.Dashboard;

/// <summary>
/// The support dashboard: a Blazor Web App (interactive server, MudBlazor) behind cookie sign-in, the default
/// authentication scheme. Every page sends the same MediatR requests as the REST API; nothing here reads the database.
/// </summary>
public static class DashboardSetup
{
    public static readonly CultureInfo[] Cultures = [CultureInfo.GetCultureInfo("en"), CultureInfo.GetCultureInfo("zh-CN")];

    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddCascadingAuthenticationState();
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, cookie =>
            {
                cookie.LoginPath = "/signin";
                cookie.LogoutPath = "/account/signout";
                cookie.AccessDeniedPath = "/denied";
                cookie.Cookie.Name = "PosSupport.Auth";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.ExpireTimeSpan = TimeSpan.FromHours(10);
                cookie.SlidingExpiration = true;
                cookie.EventsType = typeof(StaffCookieEvents);
            });
        services.AddOptions<DashboardSessionOptions>().BindConfiguration(DashboardSessionOptions.Section);
        services.AddScoped<StaffCookieEvents>();
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, StaffAuthenticationStateProvider>();
        services.AddAuthorizationBuilder()
            .AddPolicy(StaffPolicies.Staff, policy => policy.AddAuthenticationSchemes(CookieAuthenticationDefaults.AuthenticationScheme)
                .RequireRole(StaffPolicies.AgentRole, StaffPolicies.SupervisorRole, StaffPolicies.AdminRole))
            .AddPolicy(StaffPolicies.Admin, policy => policy.AddAuthenticationSchemes(CookieAuthenticationDefaults.AuthenticationScheme)
                .RequireRole(StaffPolicies.AdminRole));
        services.AddScoped<RequestSender>();
        services.AddScoped<StaffSession>();
        services.AddSingleton<CaseChangeFeed>();
        services.AddScoped<MediatR.INotificationHandler<Core.Cases.CaseChanged>, CaseChangeRelay>();
        return services;
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var localization = new RequestLocalizationOptions { DefaultRequestCulture = new RequestCulture("en"), SupportedCultures = Cultures, SupportedUICultures = Cultures };
        // Chosen on the page (cookie) first, else from the browser's languages; zh, zh-Hans and zh-CN all mean Chinese.
        localization.RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
        localization.FallBackToParentUICultures = true;
        app.UseRequestLocalization(localization);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets();
        // mermaid (MIT, from npm) is fetched by the build and copied beside the binaries, not kept in wwwroot.
        app.MapGet("/lib/mermaid/{file:regex(^(mermaid\\.min\\.js|LICENSE)$)}", (string file) =>
                TypedResults.PhysicalFile(Path.Combine(AppContext.BaseDirectory, "mermaid", file), file == "LICENSE" ? "text/plain" : "text/javascript"))
            .AllowAnonymous();
        app.MapAccountEndpoints();
        app.MapEvidenceDownloads();
        app.MapReportExport();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}

public static class StaffPolicies
{
    public const string Staff = "staff";
    public const string Admin = "admin";
    public const string AgentRole = "agent";
    public const string SupervisorRole = "supervisor";
    public const string AdminRole = "admin";
}
