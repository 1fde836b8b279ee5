using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PosSupport.Web.Tests.Api;

/// <summary>A real HTTP listener on a free loopback port that records every webhook and answers with the status its script says.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _calls;

    private WebhookReceiver(WebApplication app) => _app = app;

    public sealed record Received(int Call, string Body, string? Delivery, string? Event, string? Signature, int AnsweredWith);

    public ConcurrentQueue<Received> Requests { get; } = new();

    public Uri Url { get; private set; } = null!;

    /// <param name="status">The status to answer the n-th call (1-based) with.</param>
    public static async Task<WebhookReceiver> StartAsync(Func<int, int> status)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            var call = Interlocked.Increment(ref receiver._calls);
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            var answer = status(call);
            receiver.Requests.Enqueue(new Received(call, body, request.Headers["X-PosSupport-Delivery"], request.Headers["X-PosSupport-Event"],
                request.Headers["X-PosSupport-Signature"], answer));
            return Results.StatusCode(answer);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Url = new Uri(new Uri(address), "/hook");
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
