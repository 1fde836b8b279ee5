using System.Security.Cryptography;
using System.Text;
using MediatR;
using PosSupport.Core.Idempotency;
using PosSupport.Core.Workflows;
using PosSupport.Web.Api.Access;
using PosSupport.Web.Api.Problems;

namespace PosSupport.Web.Api.Idempotency;

/// <summary>Marks a route whose requests must carry an <c>Idempotency-Key</c>.</summary>
public sealed class IdempotencyKeyRequired;

/// <summary>
/// <c>Idempotency-Key</c> on the API's POST routes. The key is claimed (per client) before the request runs, with a hash of
/// the method, path and body bytes. The same key and body again gets the stored response, byte for byte (errors too);
/// another body gets 422; a twin still running gets 409. A 5xx is not stored: the key is released for a retry.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, ApiOptions options)
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!HttpMethods.IsPost(context.Request.Method) || context.GetEndpoint()?.Metadata.GetMetadata<IdempotencyKeyRequired>() is null
            || context.User.Identity?.IsAuthenticated != true)
        {
            await next(context);
            return;
        }

        string? key = context.Request.Headers[Header];
        if (string.IsNullOrWhiteSpace(key) || key.Length > IdempotencyKeys.MaxKeyLength)
        {
            await ApiProblems.Write(context, ApiProblems.Create(context, "idempotency-key-missing", new LocalizedText(
                $"Every POST carries an {Header} header (1 to {IdempotencyKeys.MaxKeyLength} characters), unique per operation; retries reuse it.",
                $"每个 POST 请求都须带 {Header} 请求头（1 至 {IdempotencyKeys.MaxKeyLength} 个字符），每个操作唯一，重试时沿用。")));
            return;
        }

        var hash = await HashAsync(context);
        var clientId = ApiCaller.ClientId(context.User);
        var mediator = context.RequestServices.GetRequiredService<IMediator>();
        var claim = await mediator.Send(new ClaimIdempotencyKey.Command(clientId, key, hash,
            TimeSpan.FromHours(options.IdempotencyRetentionHours), TimeSpan.FromSeconds(options.IdempotencyLeaseSeconds)), context.RequestAborted);
        switch (claim.Outcome)
        {
            case ClaimIdempotencyKey.Outcome.Replay:
                await ReplayAsync(context, claim.Stored!);
                return;
            case ClaimIdempotencyKey.Outcome.DifferentRequest:
                await ApiProblems.Write(context, ApiProblems.Create(context, "idempotency-key-reused", new LocalizedText(
                    "This Idempotency-Key was first used with another request (route or body); use a new key for a new operation.",
                    "该 Idempotency-Key 首次使用时对应的是另一个请求（接口或请求体不同）；新操作请使用新的 key。")));
                return;
            case ClaimIdempotencyKey.Outcome.InFlight:
                await ApiProblems.Write(context, ApiProblems.Create(context, "idempotency-key-in-flight", new LocalizedText(
                    "The first request with this Idempotency-Key is still running; retry shortly to get its response.",
                    "使用该 Idempotency-Key 的首个请求仍在处理中，请稍后重试以获取其响应。")));
                return;
        }

        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        StoredResponse? stored = null;
        try
        {
            await next(context);
            var status = context.Response.StatusCode;
            if (status < 500)
                stored = new StoredResponse(status, context.Response.ContentType, context.Response.Headers.Location, context.Response.Headers.ETag,
                    Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        }
        finally
        {
            context.Response.Body = original;
            // Stored (or released) even when the client has gone: its retry must find the outcome, not run it again.
            await mediator.Send(new CompleteIdempotencyKey.Command(clientId, key, stored), CancellationToken.None);
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    private static async Task ReplayAsync(HttpContext context, StoredResponse stored)
    {
        context.Response.StatusCode = stored.Status;
        if (stored.ContentType is { } contentType) context.Response.ContentType = contentType;
        if (stored.Location is { } location) context.Response.Headers.Location = location;
        if (stored.ETag is { } etag) context.Response.Headers.ETag = etag;
        context.Response.Headers[ReplayedHeader] = "true";
        await context.Response.WriteAsync(stored.Body, Encoding.UTF8, context.RequestAborted);
    }

    // Method, path and the exact body bytes; the body is rewound for the endpoint to read.
    private static async Task<string> HashAsync(HttpContext context)
    {
        context.Request.EnableBuffering();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes($"{context.Request.Method}\n{context.Request.Path}\n"));
        var chunk = new byte[81920];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0) sha.AppendData(chunk, 0, read);
        context.Request.Body.Position = 0;
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
