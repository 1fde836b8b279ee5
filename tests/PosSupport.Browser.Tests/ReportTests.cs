using System.Text;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PosSupport.Browser.Tests;

[Collection(SharedDashboard.Name)]
public sealed class ReportTests(DashboardFixture fixture)
{
    [Fact]
    public async Task A_supervisor_reads_the_report_and_downloads_it_as_csv()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await DashboardPage.SignInAsync(page, "supervisor");
        await DashboardPage.WaitInteractiveAsync(page);
        await page.GetByTestId("nav-reports").ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Open backlog by state and age" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("backlog-row").First).ToBeVisibleAsync();
        await Expect(page.GetByTestId("outcome-row").First).ToBeVisibleAsync();
        await DashboardPage.ScreenshotAsync(page);

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("report-csv").ClickAsync());
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        var path = await download.PathAsync();
        var lines = (await File.ReadAllLinesAsync(path, Encoding.UTF8)).Where(l => l.Length > 0).ToList();
        Assert.StartsWith("section,type,type_title,item", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("backlog,data-fee-cancellation,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("outcome,", StringComparison.Ordinal));
    }
}
