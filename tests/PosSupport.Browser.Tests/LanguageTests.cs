using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PosSupport.Browser.Tests;

[Collection(SharedDashboard.Name)]
public sealed class LanguageTests(DashboardFixture fixture)
{
    [Fact]
    public async Task Switching_to_Chinese_shows_Chinese_labels_and_is_remembered()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await DashboardPage.SignInAsync(page, "agent");
        await DashboardPage.WaitInteractiveAsync(page);
        await Expect(page.GetByTestId("queue-mine")).ToContainTextAsync("My cases");

        await page.GetByTestId("lang-zh").ClickAsync();
        await DashboardPage.WaitInteractiveAsync(page);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "队列" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("queue-mine")).ToContainTextAsync("我的工单");
        await Expect(page.GetByTestId("sign-out")).ToContainTextAsync("退出登录");

        await page.GotoAsync("/?queue=all");
        await DashboardPage.WaitInteractiveAsync(page);
        await Expect(page.GetByTestId("queue-all")).ToContainTextAsync("全部");
        await DashboardPage.ScreenshotAsync(page);
    }

    [Fact]
    public async Task A_case_page_in_Chinese_shows_Chinese_labels_states_actions_and_money_in_yuan()
    {
        await using var context = await fixture.NewContextAsync(locale: "zh-CN");
        var page = await context.NewPageAsync();
        var consoleErrors = DashboardPage.CollectConsoleErrors(page);
        await DashboardPage.SignInAsync(page, "agent", path: "/?queue=mine&type=data-fee-cancellation&state=negotiating");
        await DashboardPage.WaitInteractiveAsync(page);
        await Expect(page.GetByTestId("queue-row").First).ToContainTextAsync("协商");
        await page.GetByTestId("queue-row").First.Locator("a.case-link").ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "操作" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "时间线" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "证据材料" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("merchant-panel")).ToContainTextAsync("扣费金额");
        await Expect(page.GetByTestId("merchant-panel")).ToContainTextAsync("¥");
        await Expect(page.GetByTestId("action-bar")).Not.ToContainTextAsync("Escalate");
        await Expect(page.GetByTestId("merchant-panel")).Not.ToContainTextAsync("zh-CN");
        await DashboardPage.ScreenshotAsync(page);
        Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));
    }

    [Fact]
    public async Task A_browser_asking_for_Chinese_gets_the_sign_in_page_in_Chinese()
    {
        await using var context = await fixture.NewContextAsync(locale: "zh-CN");
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "登录 POS 客服工作台" })).ToBeVisibleAsync();
        await DashboardPage.ScreenshotAsync(page);
    }
}
