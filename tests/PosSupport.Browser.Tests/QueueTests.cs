using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PosSupport.Browser.Tests;

[Collection(SharedDashboard.Name)]
public sealed partial class QueueTests(DashboardFixture fixture)
{
    [Fact]
    public async Task A_type_filter_narrows_the_queue_and_survives_a_reload()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await DashboardPage.SignInAsync(page, "supervisor", path: "/?queue=all");
        await DashboardPage.WaitInteractiveAsync(page);

        await page.GetByTestId("filter-type").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "Fee-rate dispute" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(TypeInAddress());
        await Expect(page.GetByTestId("queue-row").First).ToHaveAttributeAsync("data-case-number", new Regex("^FR-"));
        foreach (var number in await RowNumbersAsync(page)) Assert.StartsWith("FR-", number, StringComparison.Ordinal);

        await page.ReloadAsync();
        await DashboardPage.WaitInteractiveAsync(page);
        await Expect(page.GetByTestId("queue-row").First).ToHaveAttributeAsync("data-case-number", new Regex("^FR-"));
        foreach (var number in await RowNumbersAsync(page)) Assert.StartsWith("FR-", number, StringComparison.Ordinal);
        await DashboardPage.ScreenshotAsync(page);
    }

    [Fact]
    public async Task Searching_a_case_number_finds_that_case()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await DashboardPage.SignInAsync(page, "agent", path: "/?queue=all");
        await DashboardPage.WaitInteractiveAsync(page);
        var numbers = await RowNumbersAsync(page);
        var wanted = numbers[^1];

        await page.Locator("#queue-search").FillAsync(wanted);
        await page.Locator("#queue-search").PressAsync("Enter");

        await Expect(page.GetByTestId("queue-row")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("queue-row")).ToHaveAttributeAsync("data-case-number", wanted);
        await Expect(page).ToHaveURLAsync(new Regex("q=" + Regex.Escape(wanted)));
        await DashboardPage.ScreenshotAsync(page);
    }

    private static async Task<IReadOnlyList<string>> RowNumbersAsync(IPage page)
    {
        var rows = page.GetByTestId("queue-row");
        var numbers = new List<string>();
        for (var i = 0; i < await rows.CountAsync(); i++) numbers.Add((await rows.Nth(i).GetAttributeAsync("data-case-number"))!);
        Assert.NotEmpty(numbers);
        return numbers;
    }

    [GeneratedRegex("type=fee-rate-dispute")]
    private static partial Regex TypeInAddress();
}
