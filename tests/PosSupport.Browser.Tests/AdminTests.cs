using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PosSupport.Browser.Tests;

[Collection(SharedDashboard.Name)]
public sealed class AdminTests(DashboardFixture fixture)
{
    [Fact]
    public async Task An_admin_sees_every_workflow_version_with_its_diagram()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await DashboardPage.SignInAsync(page, "admin");
        await DashboardPage.WaitInteractiveAsync(page);
        await page.GetByTestId("nav-admin").ClickAsync();

        // Two versions of each of the three workflows, newest first.
        await Expect(page.GetByTestId("workflow-row")).ToHaveCountAsync(6);
        await page.GetByTestId("workflow-show").Nth(3).ClickAsync();
        await Expect(page.GetByTestId("workflow-detail")).ToContainTextAsync("Faulty-device replacement · v1");
        await Expect(page.Locator("[data-testid=workflow-diagram] svg")).ToHaveCountAsync(1, new() { Timeout = 20_000 });
        await DashboardPage.ScreenshotAsync(page);
    }

    [Fact]
    public async Task An_agent_has_no_admin_link_and_is_refused_the_admin_page_and_the_jobs_dashboard()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await DashboardPage.SignInAsync(page, "agent");
        await DashboardPage.WaitInteractiveAsync(page);
        await Expect(page.GetByTestId("nav-admin")).ToHaveCountAsync(0);

        await page.GotoAsync("/admin/workflows");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not allowed" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("workflow-row")).ToHaveCountAsync(0);

        foreach (var adminPage in new[] { "/admin/users", "/admin/api-clients", "/admin/webhooks" })
        {
            await page.GotoAsync(adminPage);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not allowed" })).ToBeVisibleAsync();
            await Expect(page.GetByTestId("admin-nav")).ToHaveCountAsync(0);
        }

        await page.GotoAsync("/hangfire");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not allowed" })).ToBeVisibleAsync();
        await DashboardPage.ScreenshotAsync(page);
    }

    [Fact]
    public async Task An_admin_creates_a_user_who_can_then_sign_in_and_cannot_once_disabled()
    {
        var login = "new." + Guid.NewGuid().ToString("N")[..6];
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await DashboardPage.SignInAsync(page, "admin", path: "/admin/users");
        await DashboardPage.WaitInteractiveAsync(page);

        await page.GetByTestId("user-new").ClickAsync();
        await page.Locator("#new-user-login").FillAsync(login);
        await page.Locator("#new-user-name").FillAsync("Wang Fang");
        await page.GetByTestId("new-user-role").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "Supervisor" }).ClickAsync();
        await page.Locator("#new-user-password").FillAsync("short");
        await page.GetByTestId("user-create").ClickAsync();
        await Expect(page.GetByTestId("dialog-error")).ToContainTextAsync("at least 8 characters");
        await page.Locator("#new-user-password").FillAsync("a long first password");
        await page.GetByTestId("user-create").ClickAsync();

        var row = page.Locator($"[data-testid=user-row][data-login='{login}']");
        await Expect(row.GetByTestId("user-role")).ToHaveTextAsync("Supervisor");
        await Expect(row).ToContainTextAsync("never");
        await DashboardPage.ScreenshotAsync(page);

        await using (var theirs = await fixture.NewContextAsync())
        {
            var their = await theirs.NewPageAsync();
            await DashboardPage.SignInAsync(their, login, "a long first password");
            await Expect(their.GetByTestId("signed-in-user")).ToHaveTextAsync("Wang Fang · Supervisor");
        }

        await page.ReloadAsync();
        await DashboardPage.WaitInteractiveAsync(page);
        await Expect(row).Not.ToContainTextAsync("never");
        await row.GetByTestId("user-disable").ClickAsync();
        await page.GetByTestId("disable-confirm").ClickAsync();
        await Expect(row.GetByTestId("user-status")).ToHaveTextAsync("Disabled");

        await using var again = await fixture.NewContextAsync();
        var refused = await again.NewPageAsync();
        await DashboardPage.SignInAsync(refused, login, "a long first password");
        await Expect(refused.GetByText("The login or password is wrong.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task An_admin_cannot_disable_or_demote_themselves()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await DashboardPage.SignInAsync(page, "admin", path: "/admin/users");
        await DashboardPage.WaitInteractiveAsync(page);

        var own = page.Locator("[data-testid=user-row][data-login='admin']");
        await Expect(own).ToContainTextAsync("(you)");
        await Expect(own.GetByTestId("user-disable")).ToHaveCountAsync(0);
        await Expect(own.GetByTestId("user-change-role")).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-testid=user-row][data-login='agent']").GetByTestId("user-disable")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task An_admin_creates_an_api_key_sees_it_once_and_revokes_it()
    {
        var name = "crm-" + Guid.NewGuid().ToString("N")[..6];
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await DashboardPage.SignInAsync(page, "admin", path: "/admin/api-clients");
        await DashboardPage.WaitInteractiveAsync(page);

        await page.GetByTestId("client-new").ClickAsync();
        await page.Locator("#new-client-name").FillAsync(name);
        await page.GetByTestId("new-client-role").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "Agent" }).ClickAsync();
        await page.Locator("#new-client-webhook").FillAsync("https://crm.example.com/hooks/possupport");
        await page.GetByTestId("client-create").ClickAsync();

        var key = await page.GetByTestId("created-key").TextContentAsync();
        Assert.StartsWith("psk_", key, StringComparison.Ordinal);
        await Expect(page.GetByTestId("created-secret")).ToContainTextAsync("whsec_");
        await DashboardPage.ScreenshotAsync(page);
        using (var api = new HttpClient { BaseAddress = fixture.Address })
        {
            api.DefaultRequestHeaders.Authorization = new("Bearer", key);
            using var allowed = await api.GetAsync("/api/v1/cases");
            Assert.Equal(System.Net.HttpStatusCode.OK, allowed.StatusCode);
        }

        await page.GetByTestId("key-close").ClickAsync();
        await Expect(page.GetByTestId("created-key")).ToHaveCountAsync(0);
        var row = page.Locator($"[data-testid=client-row][data-name='{name}']");
        await Expect(row).ToContainTextAsync("https://crm.example.com/hooks/possupport");
        Assert.DoesNotContain(key!, await page.ContentAsync(), StringComparison.Ordinal);

        await row.GetByTestId("client-revoke").ClickAsync();
        await Expect(page.GetByTestId("revoke-dialog")).ToContainTextAsync(name);
        await page.GetByTestId("revoke-confirm").ClickAsync();
        await Expect(row.GetByTestId("client-revoked")).Not.ToBeEmptyAsync();
        await Expect(row.GetByTestId("client-revoke")).ToHaveCountAsync(0);
        using (var api = new HttpClient { BaseAddress = fixture.Address })
        {
            api.DefaultRequestHeaders.Authorization = new("Bearer", key);
            using var refused = await api.GetAsync("/api/v1/cases");
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
        }
    }
}
