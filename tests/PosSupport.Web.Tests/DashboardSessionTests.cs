using System.Net;
using System.Text.RegularExpressions;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Users;
using PosSupport.Web.Tests.Api;

namespace PosSupport.Web.Tests;

/// <summary>
/// A dashboard cookie issued before its user was disabled or given another role stops working once its check is due, over
/// real HTTP with the sign-in form. The host checks every request here (<c>PosSupport:Dashboard:SessionCheckSeconds</c> = 0).
/// </summary>
[Collection(OwnHosts.Name)]
public sealed partial class DashboardSessionTests : IAsyncLifetime
{
    private const string Password = "correct horse battery";
    private readonly TemporaryDirectory _data = TemporaryDirectory.Create();
    private ApiHost _host = null!;

    public Task InitializeAsync()
    {
        _host = ApiHost.On(_data.Path, new Dictionary<string, string> { ["PosSupport:Dashboard:SessionCheckSeconds"] = "0" });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    private async Task<T> SendAsync<T>(IRequest<T> request)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request);
    }

    private Task<CreateUser.Result> UserAsync(string role) =>
        SendAsync(new CreateUser.Command("session." + Guid.NewGuid().ToString("N")[..8], "Session Test", role, Password, Caller.System("test")));

    private HttpClient NewClient()
    {
#pragma warning disable CA2000 // The client owns and disposes the handler.
        var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
#pragma warning restore CA2000
        return new HttpClient(handler, disposeHandler: true) { BaseAddress = _host.Address };
    }

    private static async Task SignInAsync(HttpClient client, CreateUser.Result user)
    {
        var page = await client.GetStringAsync("/signin");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AntiforgeryToken().Match(page).Groups[1].Value, ["Login"] = user.Login, ["Password"] = Password, ["ReturnUrl"] = "/",
        });
        using var response = await client.PostAsync("/account/signin", form);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    // Signed in, the queues page renders; signed out, it sends the browser to sign in.
    private static async Task<bool> SignedInAsync(HttpClient client, string path = "/")
    {
        using var response = await client.GetAsync(path);
        if (response.StatusCode == HttpStatusCode.OK) return true;
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.Equal("/signin", location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString.Split('?')[0]);
        return false;
    }

    [Fact]
    public async Task A_disabled_users_existing_cookie_is_refused_on_the_next_request_and_stays_refused_after_enabling()
    {
        var user = await UserAsync("agent");
        using var client = NewClient();
        await SignInAsync(client, user);
        Assert.True(await SignedInAsync(client));

        await SendAsync(new SetUserDisabled.Command(user.Id, true, Caller.System("test")));
        var afterDisabling = await SignedInAsync(client);
        await SendAsync(new SetUserDisabled.Command(user.Id, false, Caller.System("test")));

        Assert.False(afterDisabling);
        // The refusal signed the cookie out: enabling the user does not bring the old session back.
        Assert.False(await SignedInAsync(client));
        await SignInAsync(client, user);
        Assert.True(await SignedInAsync(client));
    }

    [Fact]
    public async Task A_cookie_issued_before_a_role_change_is_refused_and_a_new_sign_in_carries_the_new_role()
    {
        var user = await UserAsync("admin");
        using var client = NewClient();
        await SignInAsync(client, user);
        Assert.True(await SignedInAsync(client, "/admin/users"));

        await SendAsync(new ChangeUserRole.Command(user.Id, "agent", Caller.System("test")));

        Assert.False(await SignedInAsync(client, "/admin/users"));
        await SignInAsync(client, user);
        using var adminPage = await client.GetAsync("/admin/users");
        Assert.Equal(HttpStatusCode.Redirect, adminPage.StatusCode);
        Assert.Equal("/denied", adminPage.Headers.Location!.AbsolutePath);
        Assert.True(await SignedInAsync(client));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
