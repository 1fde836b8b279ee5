using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PosSupport.Browser.Tests;

[Collection(SharedDashboard.Name)]
public sealed partial class NewCaseTests(DashboardFixture fixture)
{
    [Fact]
    public async Task A_phone_intake_finds_the_merchant_and_opens_a_fee_rate_case()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await DashboardPage.SignInAsync(page, "agent", path: "/cases/new");
        await DashboardPage.WaitInteractiveAsync(page);

        await page.Locator("#merchant-search").FillAsync("NL");
        await page.Locator("#merchant-search").PressAsync("Enter");
        await page.GetByTestId("merchant-match").First.ClickAsync();
        await Expect(page.GetByTestId("chosen-merchant")).ToBeVisibleAsync();

        await page.GetByTestId("new-type").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "Fee-rate dispute" }).ClickAsync();
        await page.GetByTestId("new-amount").FillAsync("12.50");
        await page.GetByTestId("new-rate").FillAsync("0.60");
        await page.GetByTestId("new-description").FillAsync("Merchant says 0.60% was charged; the contract says 0.38%.");
        await page.GetByTestId("new-open").ClickAsync();

        await Expect(page.GetByTestId("case-number")).ToHaveTextAsync(FeeRateNumber());
        await Expect(page.GetByTestId("merchant-panel")).ToContainTextAsync("0.60%");
        await DashboardPage.ScreenshotAsync(page);
    }

    [GeneratedRegex("^FR-\\d{4}-\\d{6}$")]
    private static partial Regex FeeRateNumber();
}
