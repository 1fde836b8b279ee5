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
    /// Chooses <paramref name="file"/> in the case page's upload control, once that control can take it: enabled, and wired
    /// to the server. Blazor's <c>InputFile</c> starts listening for its input's <c>change</c> event only when its script
    /// has run, a round trip after the input first appears; a file set before that never reaches the server, and the page
    /// goes on waiting for it (seen in CI: the first upload after a case opened was lost). A person cannot be that quick:
    /// their file picker opens from the button, through the same connection, after the wiring. The wiring is read from
    /// the field Blazor's script sets on the element (<c>_blazorInputFileNextFileId</c>), the first thing it does.
    /// </summary>
    public static async Task ChooseUploadAsync(IPage page, FilePayload file)
    {
        ArgumentNullException.ThrowIfNull(page);
        var input = page.GetByTestId("upload").First;
        await Assertions.Expect(input).ToBeEnabledAsync();
        await using var element = await input.ElementHandleAsync();
        await page.WaitForFunctionAsync("input => input._blazorInputFileNextFileId !== undefined", element);
        await input.SetInputFilesAsync(file);
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
            await ChooseUploadAsync(page, new FilePayload { Name = $"{fileName}-{done}.png", MimeType = "image/png", Buffer = TestFiles.UniquePng() });
            await Assertions.Expect(received).ToHaveCountAsync(1);
            await received.GetByTestId("evidence-accept").ClickAsync();
            await Assertions.Expect(accepted).ToHaveCountAsync(done);
        }
        await Assertions.Expect(requested).ToHaveCountAsync(0);
        return toDo;
    }
}
