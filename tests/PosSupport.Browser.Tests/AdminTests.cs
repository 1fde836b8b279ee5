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

        await Expect(page.GetByTestId("workflow-row")).ToHaveCountAsync(3);
        await page.GetByTestId("workflow-show").Nth(1).ClickAsync();
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

        await page.GotoAsync("/hangfire");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not allowed" })).ToBeVisibleAsync();
        await DashboardPage.ScreenshotAsync(page);
    }
}
