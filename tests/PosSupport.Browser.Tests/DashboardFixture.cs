using Microsoft.Playwright;
using PosSupport.Web.Tests;

namespace PosSupport.Browser.Tests;

/// <summary>
/// The real app on Kestrel with a fresh SQLite database holding the demo data (its users sign in with the demo password),
/// and one headless Debian Chromium. Each test opens its own browser context and disposes it: a context left open keeps
/// its Blazor circuit, and the host would wait for it at shutdown.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string DemoPassword = "possupport-demo";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    private readonly TemporaryDirectory _data = TemporaryDirectory.Create();

    public DashboardFixture() =>
        // A small offer authority (¥50.00) so that an agent's offer on a demo data-fee claim can exceed it; sessions checked
        // every 3 s instead of every minute, so an open page of a disabled user is seen to lose access; queue badges counted
        // on every page, since tests write some cases straight into the database, as another node would (the reuse of
        // badges is tested in QueueTests).
        Host = ApiHost.On(_data.Path, new Dictionary<string, string>
        {
            ["PosSupport:AgentOfferAuthorityFen"] = "5000", ["PosSupport:Dashboard:SessionCheckSeconds"] = "3",
            ["PosSupport:QueueCountsMaxAgeSeconds"] = "0",
        });

    public ApiHost Host { get; }

    public Uri Address => Host.Address;

    /// <summary>
    /// A connection of its own to the app's SQLite database, unpooled, for a test to arrange data as another node would;
    /// dispose it.
    /// </summary>
    public Microsoft.Data.Sqlite.SqliteConnection OpenDatabase() => new(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder
    {
        DataSource = Path.Combine(Host.DataDirectory, "possupport.db"), Pooling = false,
    }.ToString());

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser is not started.");

    public static string ScreenshotDirectory { get; } =
        Environment.GetEnvironmentVariable("POSSUPPORT_SCREENSHOTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        // Playwright's expectations wait 5 s by default; a Blazor round trip on a CI machine whose two cores are busy with
        // other test processes can take longer. A real regression still fails, only 10 s later.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A new context (own cookies) at 1280×800 in <paramref name="locale"/>; dispose it at the end of the test.</summary>
    public async Task<IBrowserContext> NewContextAsync(string locale = "en-US")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Address.ToString().TrimEnd('/'),
            Locale = locale,
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        context.SetDefaultTimeout(15_000);
        return context;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        await Host.DisposeAsync();
        _data.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class SharedDashboard : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}
