using System.Globalization;
using System.Net;

namespace PosSupport.Web.Tests.Operations;

/// <summary>Reads <c>/metrics</c> as Prometheus would: one sample per line, <c>name{label="value",...} number</c>.</summary>
public static class Scrape
{
    public static async Task<string> MetricsAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"/metrics answered {(int)response.StatusCode}: {text}");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return text;
    }

    /// <summary>The sum of the samples of <paramref name="metric"/> whose labels include every one of <paramref name="labels"/>.</summary>
    public static double Sum(string text, string metric, params (string Name, string Value)[] labels) =>
        text.Split('\n')
            .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal))
            .Where(line => labels.All(l => line.Contains($"{l.Name}=\"{l.Value}\"", StringComparison.Ordinal)))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    /// <summary>Scrapes until <paramref name="holds"/> (the exporter caches a scrape briefly); the last text either way.</summary>
    public static async Task<string> UntilAsync(HttpClient client, Func<string, bool> holds)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var text = await MetricsAsync(client);
        while (!holds(text) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            text = await MetricsAsync(client);
        }
        return text;
    }
}
