using System.Globalization;
using Dapper;
using static Microsoft.Playwright.Assertions;

namespace PosSupport.Browser.Tests;

[Collection(SharedDashboard.Name)]
public sealed class SlaQueueTests(DashboardFixture fixture)
{
    /// <summary>Records an SLA breach on an open demo case as the follow-up job does (a 'sla-breached' timeline event); returns its number.</summary>
    private async Task<string> BreachAnOpenCaseAsync()
    {
        await using var connection = fixture.OpenDatabase();
        var (id, number) = await connection.QuerySingleAsync<(string, string)>("""
            SELECT id, number FROM cases c
             WHERE state_kind NOT IN ('final', 'resolved')
               AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.kind = 'sla-breached')
             ORDER BY number LIMIT 1
            """);
        var at = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        await connection.ExecuteAsync("""
            INSERT INTO case_events (case_id, seq, kind, actor, actor_id, at, visibility, data)
            SELECT @id, MAX(seq) + 1, 'sla-breached', 'system', 'follow-ups', @at, 'internal',
                   '{"clock":"sla:resolution","scope":"*","title":{"en":"SLA breached: Resolution","zhCn":"已超出服务时限：解决"}}'
              FROM case_events WHERE case_id = @id
            """, new { id, at });
        return number;
    }

    /// <summary>
    /// Makes an open case really overdue: it was opened (case row and timeline) a month ago, so its clocks, computed from the
    /// event log, are past their targets; and the breach job has recorded it. Returns its number.
    /// </summary>
    private async Task<string> OverdueAnOpenCaseAsync()
    {
        await using var connection = fixture.OpenDatabase();
        var (id, number) = await connection.QuerySingleAsync<(string, string)>("""
            SELECT id, number FROM cases c
             WHERE state_kind = 'active'
               AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.kind = 'sla-breached')
             ORDER BY number DESC LIMIT 1
            """);
        static string Text(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        var openedAt = Text(DateTimeOffset.UtcNow.AddDays(-30));
        await connection.ExecuteAsync("UPDATE cases SET opened_at = @openedAt WHERE id = @id", new { id, openedAt });
        await connection.ExecuteAsync("UPDATE case_events SET at = @openedAt WHERE case_id = @id AND kind = 'opened'", new { id, openedAt });
        await connection.ExecuteAsync("""
            INSERT INTO case_events (case_id, seq, kind, actor, actor_id, at, visibility, data)
            SELECT @id, MAX(seq) + 1, 'sla-breached', 'system', 'follow-ups', @at, 'internal',
                   '{"clock":"sla:resolution","scope":"*","title":{"en":"SLA breached: Resolution","zhCn":"已超出服务时限：解决"}}'
              FROM case_events WHERE case_id = @id
            """, new { id, at = Text(DateTimeOffset.UtcNow) });
        return number;
    }

    [Fact]
    public async Task The_breached_queue_shows_an_overdue_cases_sla_cell_as_overdue_in_the_error_colour()
    {
        var number = await OverdueAnOpenCaseAsync();
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await DashboardPage.SignInAsync(page, "supervisor", path: "/?queue=breached");
        await DashboardPage.WaitInteractiveAsync(page);

        await page.Locator("#queue-search").FillAsync(number);
        await page.Locator("#queue-search").PressAsync("Enter");
        await Expect(page.GetByTestId("queue-row")).ToHaveAttributeAsync("data-case-number", number);
        var cell = page.GetByTestId("queue-row").GetByTestId("queue-sla");
        await Expect(cell).ToHaveAttributeAsync("data-risk", "breached");
        await Expect(cell).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bmud-error-text\b"));
        await Expect(cell).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\s*overdue \d+ (d \d+ h|h \d+ min)\s*$"));
        await DashboardPage.ScreenshotAsync(page);
    }

    [Fact]
    public async Task The_breached_queue_lists_a_breached_case_and_counts_it()
    {
        var number = await BreachAnOpenCaseAsync();
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await DashboardPage.SignInAsync(page, "supervisor", path: "/?queue=breached");
        await DashboardPage.WaitInteractiveAsync(page);

        await Expect(page.GetByTestId("queue-breached")).ToHaveAttributeAsync("aria-current", "page");
        var count = int.Parse(await page.GetByTestId("count-breached").TextContentAsync() ?? "", CultureInfo.InvariantCulture);
        Assert.True(count >= 1);
        await page.Locator("#queue-search").FillAsync(number);
        await page.Locator("#queue-search").PressAsync("Enter");
        await Expect(page.GetByTestId("queue-row")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("queue-row")).ToHaveAttributeAsync("data-case-number", number);
        await DashboardPage.ScreenshotAsync(page);

        await page.GetByTestId("queue-at-risk").ClickAsync();
        await Expect(page.GetByTestId("queue-at-risk")).ToHaveAttributeAsync("aria-current", "page");
        await Expect(page.Locator($"[data-testid=queue-row][data-case-number='{number}']")).ToHaveCountAsync(0);
    }
}
