using System.Security.Cryptography;
using System.Text;
using MediatR;
using PosSupport.Core.Idempotency;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;
using PosSupport.Web.Api.Access;
using PosSupport.Web.Api.Problems;

namespace PosSupport.Web.Api.Idempotency;

/// <summary>Marks a route whose requests must carry an <c>Idempotency-Key</c>.</summary>
public sealed class IdempotencyKeyRequired;

/// <summary>
/// Route metadata: work an idempotent route does before its transaction begins, once the key is known to be well formed and
/// the body read. For slow work that needs no database lock and is safe to repeat (storing an evidence file by its hash):
/// done there, it does not hold SQLite's single writer. Best effort: whatever it does not do, the endpoint does inside the
/// transaction, and answers for.
/// </summary>
public sealed class BeforeTransaction(Func<HttpContext, Task> run)
{
    public Func<HttpContext, Task> Run { get; } = run ?? throw new ArgumentNullException(nameof(run));
}

/// <summary>
/// <c>Idempotency-Key</c> on the API's POST routes. The key is claimed (per client), with a hash of the method, path and
/// body bytes, in the transaction the request's commands then run in, and the response is stored in it too (a
/// <see cref="UnitOfWork"/>; each command behind a savepoint, so a refused one is undone alone and its refusal is still
/// the stored answer). The same key and body again gets the stored response, byte for byte (errors too); another body gets
/// 422; a twin arriving while the first runs waits for it and replays its answer. A 5xx is not stored and nothing of the
/// request is kept: the retry runs it again. A crash at any point leaves either the change with its answer or neither.
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
        if (context.GetEndpoint()?.Metadata.GetMetadata<BeforeTransaction>() is { } before) await before.Run(context);
        var clientId = ApiCaller.ClientId(context.User);
        var mediator = context.RequestServices.GetRequiredService<IMediator>();
        var unit = context.RequestServices.GetRequiredService<UnitOfWork>();
        // The claim, the request's commands and the stored response are one transaction: either the change and its answer
        // are both kept, or neither is and a retry runs the request afresh. A twin with the same key waits on the claim
        // and then replays the answer.
        await unit.BeginAsync(guardEachCommand: true, context.RequestAborted);
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        try
        {
            var claim = await mediator.Send(new ClaimIdempotencyKey.Command(clientId, key, hash,
                TimeSpan.FromHours(options.IdempotencyRetentionHours), TimeSpan.FromSeconds(options.IdempotencyLeaseSeconds)), context.RequestAborted);
            if (claim.Outcome != ClaimIdempotencyKey.Outcome.Claimed)
            {
                await unit.RollbackAsync();
                await RefuseAsync(context, claim);
                return;
            }

            context.Response.Body = buffer;
            await next(context);
            var status = context.Response.StatusCode;
            if (status >= 500)
            {
                // The server failed, not the client: nothing is kept, and the retry runs the request again.
                await unit.RollbackAsync();
            }
            else
            {
                await mediator.Send(new CompleteIdempotencyKey.Command(clientId, key, new StoredResponse(status, context.Response.ContentType,
                    context.Response.Headers.Location, context.Response.Headers.ETag, Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length))),
                    CancellationToken.None);
                // Committed even when the client has gone: its retry must find the outcome, not run it again.
                await unit.CommitAsync(CancellationToken.None);
            }
        }
        catch
        {
            await unit.RollbackAsync();
            throw;
        }
        finally
        {
            context.Response.Body = original;
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    private static Task RefuseAsync(HttpContext context, ClaimIdempotencyKey.Result claim) => claim.Outcome switch
    {
        ClaimIdempotencyKey.Outcome.Replay => ReplayAsync(context, claim.Stored!),
        ClaimIdempotencyKey.Outcome.DifferentRequest => ApiProblems.Write(context, ApiProblems.Create(context, "idempotency-key-reused", new LocalizedText(
            "This Idempotency-Key was first used with another request (route or body); use a new key for a new operation.",
            "该 Idempotency-Key 首次使用时对应的是另一个请求（接口或请求体不同）；新操作请使用新的 key。"))),
        _ => ApiProblems.Write(context, ApiProblems.Create(context, "idempotency-key-in-flight", new LocalizedText(
            "The first request with this Idempotency-Key is still running; retry shortly to get its response.",
            "使用该 Idempotency-Key 的首个请求仍在处理中，请稍后重试以获取其响应。"))),
    };

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
