using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PosSupport.Browser.Tests;

/// <summary>
/// The whole of a data-fee dispute worked by one agent in the browser, in Chinese: a phone call opens it, the merchant's
/// documents are uploaded and accepted, the assessment sends it to negotiation, an offer is made and accepted on the
/// merchant's behalf, and the case is closed with its outcome.
/// </summary>
[Collection(SharedDashboard.Name)]
public sealed partial class DisputeJourneyTests(DashboardFixture fixture)
{
    /// <summary>
    /// A demo merchant whose contract has a data-fee clause the merchant was told about, with no free period and no volume
    /// waiver: a charge older than its refund window goes to negotiation. Returns the name and the refund window in days.
    /// </summary>
    private async Task<(string Name, int RefundWindowDays)> MerchantWhoseClaimIsNegotiatedAsync()
    {
        await using var connection = fixture.OpenDatabase();
        return await connection.QueryFirstAsync<(string, int)>("""
            SELECT m.name, c.refund_window_days
              FROM merchants m JOIN contracts c ON c.merchant_id = m.id
             WHERE c.data_fee_clause = 1 AND c.fee_notice_given = 1 AND c.data_fee_free_days = 0
               AND c.data_fee_waiver_volume_fen IS NULL
               AND (SELECT COUNT(*) FROM merchants other WHERE other.name = m.name) = 1
             ORDER BY m.name LIMIT 1
            """);
    }

    [Fact]
    public async Task An_agent_works_a_data_fee_dispute_from_phone_intake_to_closed_in_Chinese()
    {
        var (merchant, refundWindowDays) = await MerchantWhoseClaimIsNegotiatedAsync();
        var chargedOn = DateTime.UtcNow.AddHours(8).AddDays(-(refundWindowDays + 40)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        await using var context = await fixture.NewContextAsync(locale: "zh-CN");
        var page = await context.NewPageAsync();
        var consoleErrors = DashboardPage.CollectConsoleErrors(page);
        await DashboardPage.SignInAsync(page, "agent", path: "/cases/new");
        await DashboardPage.WaitInteractiveAsync(page);

        // Intake: the merchant calls about a data fee charged after the refund window.
        await page.Locator("#merchant-search").FillAsync(merchant);
        await page.Locator("#merchant-search").PressAsync("Enter");
        await page.GetByTestId("merchant-match").First.ClickAsync();
        await Expect(page.GetByTestId("chosen-merchant")).ToContainTextAsync(merchant);
        await page.GetByTestId("new-type").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "流量费取消/退费" }).ClickAsync();
        await page.GetByTestId("new-amount").FillAsync("99.00");
        await page.GetByTestId("new-charged-on").FillAsync(chargedOn);
        await page.GetByTestId("new-description").FillAsync("商户来电：流量费扣款 99 元，要求退还。");
        await page.GetByTestId("new-open").ClickAsync();

        // The contract is looked up by the workflow itself; the case waits for the merchant's documents.
        await Expect(page.GetByTestId("case-number")).ToHaveTextAsync(DataFeeNumber());
        await Expect(page.GetByTestId("case-state")).ToHaveTextAsync("收集证据材料");
        await Expect(page.GetByTestId("merchant-panel")).ToContainTextAsync("¥99.00");

        // The merchant's documents, sent by WeChat to the agent, are uploaded for them and accepted one by one.
        await Expect(page.Locator("[data-testid=evidence-row][data-status=requested]")).ToHaveCountAsync(3);
        Assert.Equal(3, await DashboardPage.UploadAndAcceptEachRequestedAsync(page, "材料"));
        await Expect(page.GetByTestId("case-state")).ToHaveTextAsync("对照合同评估");

        // Assessed against the contract: the fee was owed and the charge is old, so it is negotiated.
        await page.GetByTestId("action-assess").ClickAsync();
        await Expect(page.GetByTestId("action-dialog")).ToContainTextAsync("对照合同评估");
        await page.GetByTestId("action-confirm").ClickAsync();
        await Expect(page.GetByTestId("case-state")).ToHaveTextAsync("协商中");

        // An offer within the agent's authority goes straight to the merchant.
        await DashboardPage.ProposeOfferAsync(page, "部分退款", "40");
        await Expect(page.GetByTestId("case-state")).ToHaveTextAsync("方案待商户答复");
        await Expect(page.Locator("[data-testid=offer-row][data-status=open]")).ToContainTextAsync("¥40.00");

        // The merchant accepts on the phone; the agent records it, and the refund is instructed.
        await page.GetByTestId("action-accept-partial-refund").ClickAsync();
        await page.GetByTestId("action-confirm").ClickAsync();
        await Expect(page.GetByTestId("case-state")).ToHaveTextAsync("已解决（已通知退款）");
        await Expect(page.GetByTestId("case-outcome")).ToContainTextAsync("流量费已部分退还");

        await page.GetByTestId("action-close").ClickAsync();
        await page.GetByTestId("action-confirm").ClickAsync();
        await Expect(page.GetByTestId("case-state")).ToHaveTextAsync("已关闭");
        await Expect(page.GetByTestId("case-outcome")).ToContainTextAsync("流量费已部分退还");

        // The timeline tells the whole story, newest first: five steps moved the case after it was opened.
        var transitions = page.Locator("[data-testid=timeline-event][data-kind=transition]");
        await Expect(transitions.First).ToContainTextAsync("已解决（已通知退款） → 已关闭");
        await Expect(transitions.Last).ToContainTextAsync("调取合同 → 收集证据材料");
        await DashboardPage.ScreenshotAsync(page);
        Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));
    }

    [GeneratedRegex("^DF-\\d{4}-\\d{6}$")]
    private static partial Regex DataFeeNumber();
}
