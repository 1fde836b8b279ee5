using MediatR;
using Microsoft.Extensions.DependencyInjection;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Users;
using static Microsoft.Playwright.Assertions;

namespace PosSupport.Browser.Tests;

/// <summary>An open dashboard page (a live Blazor circuit) re-checks its user: disabled meanwhile, it is sent to sign in.</summary>
[Collection(SharedDashboard.Name)]
public sealed class SessionTests(DashboardFixture fixture)
{
    [Fact]
    public async Task An_open_page_of_a_user_disabled_meanwhile_is_sent_to_sign_in_and_cannot_come_back()
    {
        var login = "open." + Guid.NewGuid().ToString("N")[..6];
        CreateUser.Result user;
        await using (var scope = fixture.Host.Services.CreateAsyncScope())
            user = await scope.ServiceProvider.GetRequiredService<IMediator>()
                .Send(new CreateUser.Command(login, "Zhao Lei", "agent", "a long first password", Caller.System("test")));
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await DashboardPage.SignInAsync(page, login, "a long first password");
        await DashboardPage.WaitInteractiveAsync(page);
        await Expect(page.GetByTestId("signed-in-user")).ToHaveTextAsync("Zhao Lei · Agent");

        await using (var scope = fixture.Host.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new SetUserDisabled.Command(user.Id, true, Caller.System("test")));

        // Nothing clicked: the circuit's own check (every 3 s here) takes the page away.
        await page.WaitForURLAsync("**/signin**", new() { Timeout = 20_000 });
        await Expect(page.GetByTestId("signed-in-user")).ToHaveCountAsync(0);
        await page.GotoAsync("/");
        await page.WaitForURLAsync("**/signin**");
        await DashboardPage.ScreenshotAsync(page);
    }
}
