using System.Net;
using System.Text.RegularExpressions;

namespace PosSupport.Web.Tests.Operations;

/// <summary>
/// Two nodes behind a balancer: a visitor's sign-in and antiforgery cookies from one are good on the other, because both keep
/// their data-protection keys in the shared data directory under one application name.
/// </summary>
public sealed partial class SharedKeysTests
{
    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"|value=\"([^\"]+)\"[^>]*name=\"__RequestVerificationToken\"")]
    private static partial Regex TokenInput();

    /// <summary>A browser's cookie jar without the browser: what Set-Cookie said, sent back as Cookie, whatever the port.</summary>
    private sealed class Visitor
    {
        private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

        public async Task<HttpResponseMessage> SendAsync(ApiHost node, HttpRequestMessage request)
        {
            using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = node.Address };
            if (_cookies.Count > 0) request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
            var response = await client.SendAsync(request);
            if (response.Headers.TryGetValues("Set-Cookie", out var set))
                foreach (var cookie in set)
                {
                    var pair = cookie.Split(';')[0];
                    var at = pair.IndexOf('=', StringComparison.Ordinal);
                    _cookies[pair[..at]] = pair[(at + 1)..];
                }
            return response;
        }

        public bool Has(string name) => _cookies.ContainsKey(name);
    }

    [Fact]
    public async Task A_sign_in_started_on_one_node_completes_on_another_and_its_cookie_is_good_on_both()
    {
        using var data = TemporaryDirectory.Create();
        using var first = ApiHost.On(data.Path);
        using var second = ApiHost.On(data.Path);
        var visitor = new Visitor();

        // The sign-in form (and its antiforgery cookie) from the first node...
        using var page = await visitor.SendAsync(first, new HttpRequestMessage(HttpMethod.Get, "/signin"));
        var html = await page.Content.ReadAsStringAsync();
        var match = TokenInput().Match(html);
        Assert.True(match.Success, "no antiforgery token on the sign-in page");
        var token = WebUtility.HtmlDecode(match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value);

        // ...posted to the second, which must read the first's antiforgery token to accept it.
        using var signedIn = await visitor.SendAsync(second, new HttpRequestMessage(HttpMethod.Post, "/account/signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Login"] = "admin", ["Password"] = "possupport-demo", ["ReturnUrl"] = "/hangfire", ["__RequestVerificationToken"] = token,
            }),
        });
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/hangfire", signedIn.Headers.Location?.OriginalString);
        Assert.True(visitor.Has("PosSupport.Auth"));

        // The sign-in cookie the second node issued opens an admin-only page on the first, and on the second.
        using var onFirst = await visitor.SendAsync(first, new HttpRequestMessage(HttpMethod.Get, "/hangfire"));
        using var onSecond = await visitor.SendAsync(second, new HttpRequestMessage(HttpMethod.Get, "/hangfire"));
        Assert.Equal(HttpStatusCode.OK, onFirst.StatusCode);
        Assert.Equal(HttpStatusCode.OK, onSecond.StatusCode);
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(data.Path, "keys"), "key-*.xml"));
    }

    [Fact]
    public async Task A_stranger_without_the_cookie_is_sent_to_sign_in()
    {
        using var data = TemporaryDirectory.Create();
        using var node = ApiHost.On(data.Path, new Dictionary<string, string> { ["PosSupport:SeedDemoData"] = "false" });

        using var response = await new Visitor().SendAsync(node, new HttpRequestMessage(HttpMethod.Get, "/hangfire"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith("/signin", location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString, StringComparison.Ordinal);
    }
}
