using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

namespace PosSupport.Testing;

/// <summary>
/// A webhook receiver on a loopback port (in this process): answers 200 to every POST and records each request's
/// <c>X-PosSupport-Delivery</c> id, <c>X-PosSupport-Event</c> type, and the event's case id, so a scenario can count
/// deliveries twice (duplicates) and events never delivered (losses).
/// </summary>
public sealed class WebhookListener : IDisposable
{
    public sealed record Received(Guid DeliveryId, string EventType, Guid CaseId, string Path);

    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<Received> _received = new();
    private readonly Task _loop;

    public WebhookListener()
    {
        var port = ServerProcess.FreePort();
        BaseUrl = $"http://127.0.0.1:{port}/hooks/";
        _listener.Prefixes.Add(BaseUrl);
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public string BaseUrl { get; }

    public IReadOnlyCollection<Received> All => _received;

    private async Task AcceptAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync().ConfigureAwait(false); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync().ConfigureAwait(false);
            var caseId = Guid.Empty;
            try
            {
                using var document = JsonDocument.Parse(body);
                if (document.RootElement.TryGetProperty("caseId", out var value)) caseId = value.GetGuid();
            }
            catch (JsonException) { }
            // A request without a readable delivery id is kept as Guid.Empty: it can match no queued delivery, so it shows as a loss.
            var delivery = Guid.TryParse(context.Request.Headers["X-PosSupport-Delivery"], out var id) ? id : Guid.Empty;
            _received.Enqueue(new Received(delivery, context.Request.Headers["X-PosSupport-Event"] ?? "", caseId, context.Request.Url?.AbsolutePath ?? ""));
            context.Response.StatusCode = 200;
        }
        finally
        {
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); }
        catch (AggregateException) { }
    }
}
