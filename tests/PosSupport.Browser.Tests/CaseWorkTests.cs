using System.Text.RegularExpressions;
using MediatR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PosSupport.Core.Cases;
using PosSupport.Core.Pipeline;
using PosSupport.Web.Cli;
using PosSupport.Web.Tests;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PosSupport.Browser.Tests;

/// <summary>An agent's day on the case page: open, review evidence, move the case, offers and approval.</summary>
[Collection(SharedDashboard.Name)]
public sealed partial class CaseWorkTests(DashboardFixture fixture)
{
    [Fact]
    public async Task Opening_a_case_from_the_queue_shows_its_header_merchant_and_timeline()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var consoleErrors = DashboardPage.CollectConsoleErrors(page);
        await DashboardPage.SignInAsync(page, "agent");
        await DashboardPage.WaitInteractiveAsync(page);

        var first = page.GetByTestId("queue-row").First;
        var number = await first.GetAttributeAsync("data-case-number");
        await first.Locator("a.case-link").ClickAsync();

        await Expect(page.GetByTestId("case-number")).ToHaveTextAsync(number!);
        await Expect(page.GetByTestId("masked-phone")).ToContainTextAsync("****");
        await Expect(page.GetByTestId("timeline-event").First).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=sla-clock][data-sla='sla:resolution']")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("current-state")).ToBeVisibleAsync();
        // The workflow diagram is drawn, with the current state's node marked.
        await Expect(page.Locator("[data-testid=workflow-diagram] svg .current")).ToHaveCountAsync(1, new() { Timeout = 20_000 });
        await DashboardPage.ScreenshotAsync(page);
        Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));
    }

    [Fact]
    public async Task Evidence_uploaded_for_the_merchant_and_accepted_unblocks_the_next_step_which_moves_the_case()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await DashboardPage.SignInAsync(page, "agent", path: "/?queue=mine&type=data-fee-cancellation&state=collecting-evidence");
        await DashboardPage.WaitInteractiveAsync(page);
        await page.GetByTestId("queue-row").First.Locator("a.case-link").ClickAsync();
        await Expect(page.GetByTestId("case-state")).ToHaveTextAsync("Collecting evidence");

        // Blocked until every required document is accepted, and the page says why.
        await Expect(page.GetByTestId("action-evidence-complete")).ToBeDisabledAsync();
        await Expect(page.GetByTestId("blocked-evidence-complete")).Not.ToBeEmptyAsync();
        await DashboardPage.ScreenshotAsync(page, "Blocked_action_shows_its_reason");

        Assert.True(await DashboardPage.UploadAndAcceptEachRequestedAsync(page, "document") > 0, "The case should be waiting for documents.");

        // The last accepted document completes the set, and the workflow moves the case on by itself.
        await Expect(page.GetByTestId("case-state")).Not.ToHaveTextAsync("Collecting evidence");
        await Expect(page.Locator("[data-testid=timeline-event][data-kind=transition]").First).ToContainTextAsync("Collecting evidence →");
        await DashboardPage.ScreenshotAsync(page);
    }

    [Fact]
    public async Task Firing_an_action_asks_for_its_inputs_then_changes_the_state_and_the_timeline()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await DashboardPage.SignInAsync(page, "agent", path: "/?queue=mine&type=data-fee-cancellation&state=assessing");
        await DashboardPage.WaitInteractiveAsync(page);
        await page.GetByTestId("queue-row").First.Locator("a.case-link").ClickAsync();
        await Expect(page.GetByTestId("case-state")).ToHaveTextAsync("Assessing against the contract");

        await page.GetByTestId("action-escalate").ClickAsync();
        await page.GetByTestId("input-reason").FillAsync("Merchant threatens a complaint to the regulator hotline.");
        await page.GetByTestId("action-confirm").ClickAsync();

        await Expect(page.GetByTestId("case-state")).ToHaveTextAsync("Escalated to a supervisor");
        var transition = page.Locator("[data-testid=timeline-event][data-kind=transition]").First;
        await Expect(transition).ToContainTextAsync("Assessing against the contract → Escalated to a supervisor");
        await DashboardPage.ScreenshotAsync(page);
    }

    [Fact]
    public async Task An_action_without_inputs_asks_for_confirmation_before_it_is_taken()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await DashboardPage.SignInAsync(page, "agent", path: "/?queue=mine&type=data-fee-cancellation&state=resolved");
        await DashboardPage.WaitInteractiveAsync(page);
        await page.GetByTestId("queue-row").First.Locator("a.case-link").ClickAsync();
        await Expect(page.GetByTestId("case-state")).ToHaveTextAsync("Resolved");

        await page.GetByTestId("action-close").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("Close the case: are you sure?");
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(page.GetByTestId("case-state")).ToHaveTextAsync("Resolved");

        await page.GetByTestId("action-close").ClickAsync();
        await page.GetByTestId("action-confirm").ClickAsync();
        await Expect(page.GetByTestId("case-state")).ToHaveTextAsync("Closed");
        await Expect(page.GetByTestId("case-outcome")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("action-bar")).ToContainTextAsync("No actions are open to you in this state.");
        await DashboardPage.ScreenshotAsync(page);
    }

    [Fact]
    public async Task An_agents_offer_above_authority_waits_for_a_supervisor_who_approves_it()
    {
        string caseUrl;
        await using (var agentContext = await fixture.NewContextAsync())
        {
            var page = await agentContext.NewPageAsync();
            await DashboardPage.SignInAsync(page, "agent", path: "/?queue=mine&type=data-fee-cancellation&state=negotiating");
            await DashboardPage.WaitInteractiveAsync(page);
            await page.GetByTestId("queue-row").First.Locator("a.case-link").ClickAsync();
            await Expect(page.GetByTestId("case-state")).ToHaveTextAsync("Negotiating");
            caseUrl = page.Url;

            // The demo host gives agents ¥50.00 of authority; the claim is larger.
            await DashboardPage.ProposeOfferAsync(page, "Partial refund", "60");

            await Expect(page.GetByTestId("case-state")).ToHaveTextAsync("Awaiting supervisor approval");
            await Expect(page.Locator("[data-testid=offer-row][data-status=awaiting-approval]")).ToContainTextAsync("¥60.00");
            await Expect(page.GetByTestId("offer-approve")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("reveal-phone")).ToHaveCountAsync(0);
            await DashboardPage.ScreenshotAsync(page, "Agent_offer_waits_for_approval");
        }

        await using var supervisorContext = await fixture.NewContextAsync();
        var supervisor = await supervisorContext.NewPageAsync();
        await DashboardPage.SignInAsync(supervisor, "supervisor", path: new Uri(caseUrl).PathAndQuery);
        await DashboardPage.WaitInteractiveAsync(supervisor);
        // Supervisors may see the full phone number on purpose; the timeline records that they did.
        await Expect(supervisor.GetByTestId("masked-phone")).ToContainTextAsync("****");
        await supervisor.GetByTestId("reveal-phone").ClickAsync();
        await Expect(supervisor.GetByTestId("revealed-phone")).ToHaveTextAsync(new Regex("^1[3-9]\\d{9}$"));
        await Expect(supervisor.Locator("[data-testid=timeline-event][data-kind=sensitive-revealed]")).ToHaveCountAsync(1);

        await supervisor.GetByTestId("offer-approve").ClickAsync();
        await Expect(supervisor.Locator("[data-testid=offer-row]").First).ToHaveAttributeAsync("data-status", "open");
        await Expect(supervisor.GetByTestId("case-state")).Not.ToHaveTextAsync("Awaiting supervisor approval");
        await DashboardPage.ScreenshotAsync(supervisor);
    }

    [Fact]
    public async Task An_internal_note_appears_on_the_timeline_marked_internal()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await DashboardPage.SignInAsync(page, "agent", path: "/?queue=mine&type=fee-rate-dispute");
        await DashboardPage.WaitInteractiveAsync(page);
        await page.GetByTestId("queue-row").First.Locator("a.case-link").ClickAsync();
        await Expect(page.GetByTestId("case-number")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Tab, new() { Name = "Internal note" }).ClickAsync();
        await page.GetByTestId("note-text").FillAsync("Called the merchant back; statement promised by Friday.");
        await page.GetByTestId("note-add").ClickAsync();

        var note = page.Locator("[data-testid=timeline-event][data-kind=note]").First;
        await Expect(note).ToContainTextAsync("statement promised by Friday");
        await Expect(note).ToContainTextAsync("internal");
        await DashboardPage.ScreenshotAsync(page);
    }

    [Fact]
    public async Task A_note_added_by_a_colleague_appears_on_an_open_case_page_without_reloading()
    {
        await using var firstContext = await fixture.NewContextAsync();
        await using var secondContext = await fixture.NewContextAsync();
        var first = await firstContext.NewPageAsync();
        await DashboardPage.SignInAsync(first, "agent", path: "/?queue=all&type=device-replacement");
        await DashboardPage.WaitInteractiveAsync(first);
        await first.GetByTestId("queue-row").First.Locator("a.case-link").ClickAsync();
        await Expect(first.GetByTestId("case-number")).ToBeVisibleAsync();
        var second = await secondContext.NewPageAsync();
        await DashboardPage.SignInAsync(second, "supervisor", path: new Uri(first.Url).PathAndQuery);
        await DashboardPage.WaitInteractiveAsync(second);
        await Expect(second.GetByTestId("case-number")).ToBeVisibleAsync();

        await first.GetByRole(AriaRole.Tab, new() { Name = "Internal note" }).ClickAsync();
        await first.GetByTestId("note-text").FillAsync("Merchant called about the courier.");
        await first.GetByTestId("note-add").ClickAsync();

        await Expect(second.Locator("[data-testid=timeline-event][data-kind=note]").First).ToContainTextAsync("Merchant called about the courier.");
        await DashboardPage.ScreenshotAsync(second);
    }

    [Fact]
    public async Task A_change_made_meanwhile_on_another_server_is_explained_and_the_case_reloaded()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await DashboardPage.SignInAsync(page, "supervisor", path: "/?queue=all&type=fee-rate-dispute");
        await DashboardPage.WaitInteractiveAsync(page);
        await page.GetByTestId("queue-row").First.Locator("a.case-link").ClickAsync();
        await Expect(page.GetByTestId("case-number")).ToBeVisibleAsync();
        var caseId = Guid.Parse(new Uri(page.Url).Segments[^1]);

        // A second node on the same database: its changes reach this page only when the page writes.
        await using (var otherNode = OtherNode())
        await using (var scope = otherNode.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<IMediator>()
                .Send(new AddNote.Command(caseId, "Other node: merchant sent a new statement.", Caller.Agent(Guid.NewGuid())));

        await page.GetByRole(AriaRole.Tab, new() { Name = "Internal note" }).ClickAsync();
        await page.GetByTestId("note-text").FillAsync("Approved the refund difference.");
        await page.GetByTestId("note-add").ClickAsync();

        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Someone else changed this case");
        await Expect(page.Locator("[data-testid=timeline-event][data-kind=note]").First).ToContainTextAsync("Other node: merchant sent a new statement.");
        // Nothing typed is lost: the note waits to be sent again.
        await Expect(page.GetByTestId("note-text")).ToHaveValueAsync("Approved the refund difference.");
        await DashboardPage.ScreenshotAsync(page);
    }

    private ServiceProvider OtherNode()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PosSupport:DataDirectory"] = fixture.Host.DataDirectory,
            ["PosSupport:Workflows:Directory"] = ShippedWorkflows.Directory,
        }).Build();
        return CaseStoreCommands.Build(configuration, TextWriter.Null) ?? throw new InvalidOperationException("The second node did not build.");
    }
}
