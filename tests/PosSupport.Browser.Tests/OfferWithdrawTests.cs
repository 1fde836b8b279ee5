using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PosSupport.Browser.Tests;

/// <summary>The offers panel's Withdraw: the agent takes back an offer the merchant has not answered and can offer again.</summary>
[Collection(SharedDashboard.Name)]
public sealed class OfferWithdrawTests(DashboardFixture fixture)
{
    [Fact]
    public async Task An_agent_withdraws_an_offer_sees_it_withdrawn_and_can_propose_again()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var consoleErrors = DashboardPage.CollectConsoleErrors(page);
        // Fee-rate cases: the data-fee negotiations belong to the approval test.
        await DashboardPage.SignInAsync(page, "agent", path: "/?queue=all&type=fee-rate-dispute&state=negotiating");
        await DashboardPage.WaitInteractiveAsync(page);
        await page.GetByTestId("queue-row").Last.Locator("a.case-link").ClickAsync();
        await Expect(page.GetByTestId("case-state")).ToHaveTextAsync("Negotiating the refund");

        await DashboardPage.ProposeOfferAsync(page, "Partial refund", "30");
        var open = page.Locator("[data-testid=offer-row][data-status=open]");
        await Expect(open).ToContainTextAsync("¥30.00");
        await Expect(page.GetByTestId("case-state")).Not.ToHaveTextAsync("Negotiating the refund");

        await open.GetByTestId("offer-withdraw").ClickAsync();
        await Expect(page.GetByTestId("action-dialog")).ToContainTextAsync("Withdraw the offer: are you sure?");
        await page.GetByTestId("action-confirm").ClickAsync();

        var withdrawn = page.Locator("[data-testid=offer-row][data-status=withdrawn]");
        await Expect(withdrawn).ToContainTextAsync("¥30.00");
        await Expect(withdrawn.GetByTestId("offer-status")).ToHaveTextAsync("Withdrawn");
        await Expect(page.GetByTestId("case-state")).ToHaveTextAsync("Negotiating the refund");
        await Expect(page.GetByTestId("offer-withdraw")).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-testid=timeline-event][data-kind=transition]", new() { HasText = "Withdraw the offer" })).ToHaveCountAsync(1);
        await DashboardPage.ScreenshotAsync(page, "Offer_withdrawn");

        await DashboardPage.ProposeOfferAsync(page, "Partial refund", "20");
        await Expect(page.Locator("[data-testid=offer-row][data-status=open]")).ToContainTextAsync("¥20.00");
        await Expect(page.GetByTestId("offer-withdraw")).ToBeEnabledAsync();
        await DashboardPage.ScreenshotAsync(page);
        Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));
    }
}
