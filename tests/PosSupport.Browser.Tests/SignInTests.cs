using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PosSupport.Browser.Tests;

[Collection(SharedDashboard.Name)]
public sealed class SignInTests(DashboardFixture fixture)
{
    [Fact]
    public async Task A_wrong_password_is_refused_and_the_right_one_opens_the_agents_queues()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();

        await DashboardPage.SignInAsync(page, "agent", "not-the-password");
        await Expect(page.GetByTestId("signin-error")).ToHaveTextAsync("The login or password is wrong.");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"));

        await page.Locator("#login").FillAsync("agent");
        await page.Locator("#password").FillAsync(DashboardFixture.DemoPassword);
        await page.GetByTestId("signin-submit").ClickAsync();
        await DashboardPage.WaitInteractiveAsync(page);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Queues" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("signed-in-user")).ToContainTextAsync("Agent");
        await Expect(page.GetByTestId("queue-row").First).ToBeVisibleAsync();
        await DashboardPage.ScreenshotAsync(page);
    }
}
