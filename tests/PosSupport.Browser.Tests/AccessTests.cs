using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using PosSupport.Web.Cli;
using PosSupport.Web.Tests;

namespace PosSupport.Browser.Tests;

/// <summary>Who may open which page, sign-in lock-out and the users verb, over real HTTP (the sign-in form with its antiforgery token).</summary>
[Collection(SharedDashboard.Name)]
public sealed partial class AccessTests(DashboardFixture fixture)
{
    public static TheoryData<string> Pages => ["/", "/queues?queue=all", "/cases/new", "/reports", "/denied", "/admin/workflows", "/admin/users", "/admin/api-clients", "/admin/webhooks",
        "/dashboard/reports.csv", "/hangfire"];

    public static readonly string[] AdminPages = ["/admin/workflows", "/admin/users", "/admin/api-clients", "/admin/webhooks", "/hangfire"];

    public static TheoryData<string, string> PagesByRole()
    {
        var data = new TheoryData<string, string>();
        foreach (var role in new[] { "agent", "supervisor", "admin" })
            foreach (var page in new[] { "/", "/queues?queue=all", "/?queue=at-risk", "/?queue=breached", "/cases/new", "/reports", "/dashboard/reports.csv" })
                data.Add(role, page);
        return data;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Anonymous_visitors_are_sent_to_sign_in(string page)
    {
        using var client = NewClient(out _);
        using var response = await client.GetAsync(page);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/signin", response.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task Anonymous_visitors_are_sent_to_sign_in_from_a_case_page()
    {
        using var client = NewClient(out _);
        using var response = await client.GetAsync($"/cases/{Guid.NewGuid():D}");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/signin", response.Headers.Location!.AbsolutePath);
    }

    [Theory]
    [InlineData("agent")]
    [InlineData("supervisor")]
    public async Task Only_admins_open_the_admin_pages(string login)
    {
        using var client = NewClient(out _);
        await SignInAsync(client, login, DashboardFixture.DemoPassword);
        foreach (var adminPage in AdminPages)
        {
            using var response = await client.GetAsync(adminPage);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/denied", response.Headers.Location!.AbsolutePath);
        }

        using var admin = NewClient(out _);
        await SignInAsync(admin, "admin", DashboardFixture.DemoPassword);
        using var allowed = await admin.GetAsync("/admin/workflows");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Contains("data-fee-cancellation", await allowed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var users = await admin.GetAsync("/admin/users");
        Assert.Equal(HttpStatusCode.OK, users.StatusCode);
        Assert.Contains("supervisor", await users.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var clients = await admin.GetAsync("/admin/api-clients");
        Assert.Equal(HttpStatusCode.OK, clients.StatusCode);
        Assert.Contains("merchant-app", await clients.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var deliveries = await admin.GetAsync("/admin/webhooks");
        Assert.Equal(HttpStatusCode.OK, deliveries.StatusCode);
        Assert.Contains("Dead letters", await deliveries.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var jobs = await admin.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.OK, jobs.StatusCode);
        Assert.Contains("PosSupport jobs", await jobs.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evidence_files_are_not_served_to_anonymous_visitors()
    {
        using var client = NewClient(out _);
        using var response = await client.GetAsync($"/dashboard/cases/{Guid.NewGuid():D}/evidence/{Guid.NewGuid():D}");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/signin", response.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task Signing_out_needs_the_antiforgery_token_and_then_ends_the_session()
    {
        using var client = NewClient(out _);
        await SignInAsync(client, "agent", DashboardFixture.DemoPassword);
        using (var forged = await client.PostAsync("/account/signout", new FormUrlEncodedContent([])))
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        using (var stillIn = await client.GetAsync("/"))
            Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);

        var page = await client.GetStringAsync("/");
        var token = AntiforgeryToken().Match(page).Groups[1].Value;
        using (var signOut = await client.PostAsync("/account/signout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token })))
            Assert.Equal("/signin", signOut.Headers.Location!.OriginalString);
        using var after = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    [Theory]
    [MemberData(nameof(PagesByRole))]
    public async Task Every_staff_role_opens_every_dashboard_page(string login, string page)
    {
        using var client = NewClient(out _);
        Assert.Equal("/", await SignInAsync(client, login, DashboardFixture.DemoPassword));
        using var response = await client.GetAsync(page);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("Sign in to PosSupport", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sign_in_without_the_antiforgery_token_is_refused()
    {
        using var client = NewClient(out _);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["Login"] = "agent", ["Password"] = DashboardFixture.DemoPassword });
        using var response = await client.PostAsync("/account/signin", form);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("PosSupport.Auth=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_user_created_with_the_cli_signs_in_and_is_locked_out_after_five_wrong_passwords()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PosSupport:DataDirectory"] = fixture.Host.DataDirectory,
            ["PosSupport:Workflows:Directory"] = ShippedWorkflows.Directory,
        }).Build();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CommandLine.RunAsync(["users", "create", "lock.test", "--role", "agent", "--name", "Lock Test"], configuration, output, error,
            new StringReader("correct horse battery\n"));
        Assert.True(exit == CommandLine.Ok, error.ToString());
        Assert.Contains("Created agent 'lock.test'", output.ToString(), StringComparison.Ordinal);

        using (var client = NewClient(out _))
            Assert.Equal("/", await SignInAsync(client, "lock.test", "correct horse battery"));

        using var attacker = NewClient(out _);
        for (var i = 1; i < 5; i++)
            Assert.Contains("error=failed", await SignInAsync(attacker, "lock.test", $"guess {i}"), StringComparison.Ordinal);
        Assert.Contains("error=locked", await SignInAsync(attacker, "lock.test", "guess 5"), StringComparison.Ordinal);
        // Locked: even the right password is refused now.
        Assert.Contains("error=locked", await SignInAsync(attacker, "lock.test", "correct horse battery"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_users_verb_refuses_a_short_password_and_an_unknown_role()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PosSupport:DataDirectory"] = fixture.Host.DataDirectory,
            ["PosSupport:Workflows:Directory"] = ShippedWorkflows.Directory,
        }).Build();
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(CommandLine.Failed, await CommandLine.RunAsync(["users", "create", "short.pw", "--role", "agent"], configuration, output, error,
            new StringReader("abc\n")));
        Assert.Contains("at least 8 characters", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(CommandLine.Failed, await CommandLine.RunAsync(["users", "create", "boss", "--role", "owner"], configuration, output, error,
            new StringReader("long enough password\n")));
        Assert.Contains("agent, supervisor or admin", error.ToString(), StringComparison.Ordinal);
    }

    private HttpClient NewClient(out CookieContainer cookies)
    {
        cookies = new CookieContainer();
#pragma warning disable CA2000 // The client owns and disposes the handler.
        var handler = new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false };
#pragma warning restore CA2000
        return new HttpClient(handler, disposeHandler: true) { BaseAddress = fixture.Address };
    }

    /// <summary>Posts the sign-in form as a browser would; returns where the answer redirects to.</summary>
    private static async Task<string> SignInAsync(HttpClient client, string login, string password)
    {
        var page = await client.GetStringAsync("/signin");
        var token = AntiforgeryToken().Match(page).Groups[1].Value;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Login"] = login, ["Password"] = password, ["ReturnUrl"] = "/",
        });
        using var response = await client.PostAsync("/account/signin", form);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.Location!.OriginalString;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
