using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace PosSupport.Browser.Tests;

/// <summary>What every browser test does: sign in, wait for the interactive page, and keep a screenshot.</summary>
public static class DashboardPage
{
    public static async Task SignInAsync(IPage page, string login, string password = DashboardFixture.DemoPassword, string path = "/")
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync(path);
        await page.Locator("#login").FillAsync(login);
        await page.Locator("#password").FillAsync(password);
        await page.GetByTestId("signin-submit").ClickAsync();
    }

    /// <summary>Waits until the page's Blazor circuit is connected, so clicks reach the server.</summary>
    public static async Task WaitInteractiveAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined && document.querySelector('[data-testid=\"interactive\"]') !== null");
    }

    /// <summary>Collects what the page writes to the browser console as errors (and uncaught exceptions), for a test to assert none.</summary>
    public static List<string> CollectConsoleErrors(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error") lock (errors) errors.Add($"{message.Text} ({message.Location})");
        };
        page.PageError += (_, error) =>
        {
            lock (errors) errors.Add(error);
        };
        return errors;
    }

    /// <summary>Saves a full-page screenshot named after the test into <see cref="DashboardFixture.ScreenshotDirectory"/>.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, [CallerMemberName] string name = "")
    {
        ArgumentNullException.ThrowIfNull(page);
        Directory.CreateDirectory(DashboardFixture.ScreenshotDirectory);
        var path = Path.Combine(DashboardFixture.ScreenshotDirectory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 0, $"The screenshot {path} is empty.");
        return path;
    }

    /// <summary>Proposes an offer from the action bar: the kind as the dialog lists it (in the page's language) and its value in yuan.</summary>
    public static async Task ProposeOfferAsync(IPage page, string kindTitle, string yuan)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GetByTestId("action-propose-offer").ClickAsync();
        await page.GetByTestId("input-kind").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = kindTitle }).ClickAsync();
        await page.GetByTestId("input-amount").FillAsync(yuan);
        await page.GetByTestId("action-confirm").ClickAsync();
    }

    /// <summary>
    /// Uploads a document on the merchant's behalf for each requested one (the page offers the first missing type) and
    /// accepts it, checking after each that it was received and then accepted; returns how many there were.
    /// </summary>
    public static async Task<int> UploadAndAcceptEachRequestedAsync(IPage page, string fileName)
    {
        ArgumentNullException.ThrowIfNull(page);
        var requested = page.Locator("[data-testid=evidence-row][data-status=requested]");
        var received = page.Locator("[data-testid=evidence-row][data-status=received]");
        var accepted = page.Locator("[data-testid=evidence-row][data-status=accepted]");
        var toDo = await requested.CountAsync();
        for (var done = 1; done <= toDo; done++)
        {
            await page.GetByTestId("upload").First.SetInputFilesAsync(new FilePayload { Name = $"{fileName}-{done}.png", MimeType = "image/png", Buffer = TestFiles.UniquePng() });
            await Assertions.Expect(received).ToHaveCountAsync(1);
            await received.GetByTestId("evidence-accept").ClickAsync();
            await Assertions.Expect(accepted).ToHaveCountAsync(done);
        }
        await Assertions.Expect(requested).ToHaveCountAsync(0);
        return toDo;
    }
}
