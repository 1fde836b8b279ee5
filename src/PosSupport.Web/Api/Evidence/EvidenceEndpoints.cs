using System.Security.Claims;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using PosSupport.Core.Data;
using PosSupport.Core.Evidence;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;
using PosSupport.Web.Api.Access;
using PosSupport.Web.Api.Cases;
using PosSupport.Web.Api.Problems;

namespace PosSupport.Web.Api.Evidence;

/// <summary>Evidence: a file upload (multipart, checked by content) and an agent's review.</summary>
public static class EvidenceEndpoints
{
    // Multipart framing and the type field around the file.
    private const long FormOverhead = 64 * 1024;

    public static RouteGroupBuilder MapEvidence(this RouteGroupBuilder api, PosSupportOptions options)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(options);
        var evidence = api.MapGroup("/cases/{id:guid}/evidence").WithTags("Evidence").DisableAntiforgery();
        evidence.MapPost("/", Submit).Idempotent().WithMetadata(new Idempotency.BeforeTransaction(StoreFileFirstAsync))
            .WithMetadata(new RequestSizeLimitAttribute(options.Evidence.MaxBytes + FormOverhead))
            .Accepts<EvidenceUpload>("multipart/form-data")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .WithSummary("Send a file of evidence: multipart/form-data with 'type' and 'file' (JPEG, PNG or PDF)");
        evidence.MapPost("/{evidenceId:guid}/review", Review).Idempotent().RequireAuthorization(ApiCaller.StaffPolicy)
            .WithSummary("Accept or reject a received item (staff)");
        return evidence;
    }

    /// <summary>The form fields of an upload (documentation only: the form is read by hand to answer 413/415 precisely).</summary>
    /// <param name="Type">An evidence type: business-licence, transaction-records, settlement-statement, device-photo...</param>
    public sealed record EvidenceUpload(string Type, IFormFile File);

    /// <param name="AlreadyStored">These bytes were already on the case: this is the item stored before, nothing changed.</param>
    public sealed record EvidenceResponse(Guid EvidenceId, Guid CaseId, string Type, string Status, string FileName, string MediaType, long SizeBytes,
        string Sha256, long Version, bool AlreadyStored);

    /// <param name="Verdict">accept or reject.</param>
    /// <param name="Reason">Required to reject: what the merchant must fix. Sent to the merchant.</param>
    public sealed record ReviewRequest(string? Verdict, string? Reason = null);

    public sealed record ReviewResponse(Guid EvidenceId, string Status, Guid? RequestedAgainId, string State, long Version);

    private static async Task<Results<Created<EvidenceResponse>, Ok<EvidenceResponse>>> Submit(Guid id, HttpRequest request, ClaimsPrincipal user,
        IMediator mediator, PosSupportOptions options, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType || !request.ContentType!.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new ApiProblemException("unsupported-media-type", new LocalizedText(
                "Send evidence as multipart/form-data with a 'type' field and a 'file' part.",
                "请以 multipart/form-data 上传证据：包含 type 字段和 file 文件。"));
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        // A truncated or garbled multipart body: InvalidDataException for bad framing, IOException for a body that ends mid-part.
        catch (Exception e) when (e is InvalidDataException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw new ApiProblemException("malformed-request", new LocalizedText("The multipart body could not be read.", "无法解析 multipart 请求体。"));
        }
        var expected = CaseVersion.Expected(request);
        var type = form["type"].ToString();
        var file = form.Files.GetFile("file");
        if (file is null)
            throw ValidationFailedException.For("file", ApiLanguage.Culture(request.HttpContext).Name == ApiLanguage.Chinese
                ? "缺少 file 文件部分。" : "The 'file' part is missing.");
        var limit = options.Evidence.MaxBytes;
        if (file.Length > limit)
            throw new ApiProblemException("payload-too-large", new LocalizedText(
                $"The file is larger than the limit of {EvidenceFiles.Size(limit)}.", $"文件超过 {EvidenceFiles.Size(limit)} 的上限。"));

        var content = new byte[file.Length];
        await using (var stream = file.OpenReadStream()) await stream.ReadExactlyAsync(content, cancellationToken);
        if (content.Length > 0 && EvidenceFiles.DetectMediaType(content) is null)
            throw new ApiProblemException("unsupported-media-type", new LocalizedText(
                "The file is not a JPEG, PNG or PDF file (judged by its content, not its name).", "文件不是 JPEG、PNG 或 PDF（按文件内容判断，而非文件名）。"));

        var result = await mediator.Send(new SubmitEvidence.Command(id, type, file.FileName, content, ApiCaller.Of(user), expected), cancellationToken);
        var response = new EvidenceResponse(result.EvidenceId, result.CaseId, result.Type, result.Status, result.FileName, result.MediaType, result.SizeBytes,
            result.Sha256, result.Version, result.AlreadyStored);
        return result.AlreadyStored ? TypedResults.Ok(response) : TypedResults.Created((string?)null, response);
    }

    /// <summary>
    /// Stores the upload's file before the request's transaction begins (<see cref="SubmitEvidence.StoreFileFirst"/>): its
    /// flush to disk (0.9 ms of every upload) then no longer holds SQLite's single writer. Anything unusual (no form, no
    /// file, a bad If-Match, an upload the command would refuse) is left to <see cref="Submit"/>, which answers for it.
    /// </summary>
    private static async Task StoreFileFirstAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.HasFormContentType || !Guid.TryParse(context.GetRouteValue("id") as string, out var caseId)) return;
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or IOException && !context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        var services = context.RequestServices;
        if (form.Files.GetFile("file") is not { Length: > 0 } file || file.Length > services.GetRequiredService<PosSupportOptions>().Evidence.MaxBytes) return;
        var content = new byte[file.Length];
        await using (var stream = file.OpenReadStream()) await stream.ReadExactlyAsync(content, context.RequestAborted);
        var upload = new SubmitEvidence.Command(caseId, form["type"].ToString(), file.FileName, content, ApiCaller.Of(context.User));
        await services.GetRequiredService<IMediator>().Send(new SubmitEvidence.StoreFileFirst(upload), context.RequestAborted);
    }

    private static async Task<Ok<ReviewResponse>> Review(Guid id, Guid evidenceId, ReviewRequest body, ClaimsPrincipal user, HttpRequest request,
        IMediator mediator, CancellationToken cancellationToken)
    {
        ReviewEvidence.Verdict verdict = body.Verdict switch
        {
            "accept" => ReviewEvidence.Verdict.Accept,
            "reject" => ReviewEvidence.Verdict.Reject,
            _ => throw ValidationFailedException.For("verdict", ApiLanguage.Of(request.HttpContext) == ApiLanguage.Chinese
                ? "verdict 应为 accept 或 reject。" : "The verdict is accept or reject."),
        };
        var result = await mediator.Send(new ReviewEvidence.Command(id, evidenceId, verdict, ApiCaller.Of(user), body.Reason, CaseVersion.Expected(request)),
            cancellationToken);
        return TypedResults.Ok(new ReviewResponse(result.EvidenceId, result.Status, result.RequestedAgainId, result.State, result.Version));
    }
}
