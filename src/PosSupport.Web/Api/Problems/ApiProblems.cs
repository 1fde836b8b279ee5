using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Web.Api.Problems;

/// <summary>
/// RFC 7807 problem documents of the API: one stable <c>type</c> per kind of error (<c>urn:possupport:problem:KIND</c>),
/// title and detail in the caller's language (en or zh-CN), and the extensions a client acts on (field errors, the case's
/// current version, why a transition is not allowed).
/// </summary>
public static class ApiProblems
{
    public const string TypePrefix = "urn:possupport:problem:";

    private static readonly Dictionary<string, (int Status, LocalizedText Title)> Kinds = new(StringComparer.Ordinal)
    {
        ["validation"] = (400, new("The request has invalid fields", "请求中有字段不合规")),
        ["malformed-request"] = (400, new("The request could not be read", "无法读取请求")),
        ["idempotency-key-missing"] = (400, new("Idempotency-Key header required", "缺少 Idempotency-Key 请求头")),
        ["bad-if-match"] = (400, new("If-Match is not a case version", "If-Match 不是有效的工单版本")),
        ["unauthorized"] = (401, new("A valid API key is required", "需要有效的 API 密钥")),
        ["forbidden"] = (403, new("Not allowed for this client", "该客户端无权执行此操作")),
        ["not-found"] = (404, new("Not found", "未找到")),
        ["method-not-allowed"] = (405, new("Method not allowed", "不支持该请求方法")),
        ["conflict"] = (409, new("Conflict with the stored data", "与现有数据冲突")),
        ["version-conflict"] = (409, new("The case has changed", "工单已被修改")),
        ["case-closed"] = (409, new("The case is closed to new messages", "该工单已不再接收新消息")),
        ["idempotency-key-in-flight"] = (409, new("A request with this Idempotency-Key is still running", "使用该 Idempotency-Key 的请求仍在处理中")),
        ["precondition-failed"] = (412, new("The case is not at the version in If-Match", "工单版本与 If-Match 不一致")),
        ["payload-too-large"] = (413, new("The file is too large", "文件过大")),
        ["unsupported-media-type"] = (415, new("Unsupported media type", "不支持的文件或内容类型")),
        ["idempotency-key-reused"] = (422, new("This Idempotency-Key was used for another request", "该 Idempotency-Key 已用于其他请求")),
        ["transition-not-allowed"] = (422, new("The workflow does not allow this now", "当前流程不允许此操作")),
        ["rate-limited"] = (429, new("Too many requests", "请求过于频繁")),
        ["internal"] = (500, new("The server failed", "服务器内部错误")),
    };

    private static readonly Dictionary<int, string> KindOfStatus = Kinds.GroupBy(k => k.Value.Status).ToDictionary(g => g.Key, g => g.First().Key);

    public static IReadOnlyCollection<string> AllKinds => Kinds.Keys;

    public static ProblemDetails Create(HttpContext context, string kind, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (status, title) = Kinds[kind];
        return new ProblemDetails
        {
            Type = TypePrefix + kind, Status = status, Title = ApiLanguage.Text(context, title), Detail = detail,
            Instance = context.Request.Path, Extensions = { ["traceId"] = context.TraceIdentifier },
        };
    }

    public static ProblemDetails Create(HttpContext context, string kind, LocalizedText detail) => Create(context, kind, ApiLanguage.Text(context, detail));

    /// <summary>Gives a problem the framework made (status code pages, binding) this API's type and title for its status.</summary>
    public static void Stamp(HttpContext context, ProblemDetails problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        if (problem.Type?.StartsWith(TypePrefix, StringComparison.Ordinal) == true) return;
        var status = problem.Status ?? context.Response.StatusCode;
        if (!KindOfStatus.TryGetValue(status, out var kind)) kind = status >= 500 ? "internal" : "malformed-request";
        if (status == 400) kind = "malformed-request";
        problem.Type = TypePrefix + kind;
        // A title the endpoint chose (e.g. "Workflow not found") stays; the framework's reason phrase gets ours, in the caller's language.
        if (problem.Title is null || problem.Title == Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status))
            problem.Title = ApiLanguage.Text(context, Kinds[kind].Title);
        problem.Extensions.Remove("exception");
    }

    public static Task Write(HttpContext context, ProblemDetails problem)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(problem);
        context.Response.StatusCode = problem.Status ?? 500;
        return TypedResults.Problem(problem).ExecuteAsync(context);
    }

    public static ProblemDetails Unauthorized(HttpContext context) =>
        Create(context, "unauthorized", new LocalizedText("Send the client's key as 'Authorization: Bearer KEY'.", "请以 'Authorization: Bearer 密钥' 方式发送客户端密钥。"));

    public static ProblemDetails Forbidden(HttpContext context, string? detail) =>
        Create(context, "forbidden", detail ?? ApiLanguage.Text(context, new LocalizedText("This client's role may not use this route.", "该客户端的角色无权使用此接口。")));

    public static ProblemDetails Validation(HttpContext context, IReadOnlyDictionary<string, string[]> errors)
    {
        var problem = Create(context, "validation", new LocalizedText("See 'errors' for what is wrong with each field.", "各字段的问题见 errors。"));
        problem.Extensions["errors"] = errors.ToDictionary(e => JsonNamingPolicy.CamelCase.ConvertName(e.Key), e => e.Value, StringComparer.Ordinal);
        return problem;
    }

    public static ProblemDetails Field(HttpContext context, string field, LocalizedText message) =>
        Validation(context, new Dictionary<string, string[]> { [field] = [ApiLanguage.Text(context, message)] });

    /// <summary>The problem for an expected failure of the case store, or null for an exception that is the server's fault.</summary>
    public static ProblemDetails? FromException(HttpContext context, Exception exception, bool ifMatchSent)
    {
        ArgumentNullException.ThrowIfNull(context);
        switch (exception)
        {
            case ValidationFailedException validation:
                return Validation(context, validation.Errors);
            case NotFoundException notFound:
            {
                var problem = Create(context, "not-found", new LocalizedText($"{notFound.What} '{notFound.Key}' was not found.",
                    $"未找到{Noun(notFound.What)}“{notFound.Key}”。"));
                return problem;
            }
            case TransitionNotAllowedException blocked:
            {
                var problem = Create(context, "transition-not-allowed", new LocalizedText($"'{blocked.Trigger}' is not allowed now.", $"当前不允许执行“{blocked.Trigger}”。"));
                problem.Extensions["trigger"] = blocked.Trigger;
                problem.Extensions["reasons"] = blocked.Reasons.Select(r => new { code = r.Code, kind = Kebab(r.Kind), text = ApiLanguage.Text(context, r.Text) }).ToList();
                return problem;
            }
            case ConcurrencyConflictException conflict:
            {
                var problem = Create(context, ifMatchSent ? "precondition-failed" : "version-conflict", new LocalizedText(
                    $"The case is at version {conflict.CurrentVersion}, not {conflict.ExpectedVersion}: read it again and retry.",
                    $"工单当前版本为 {conflict.CurrentVersion}，而非 {conflict.ExpectedVersion}：请重新读取后再试。"));
                problem.Extensions["currentVersion"] = conflict.CurrentVersion;
                return problem;
            }
            case CaseClosedException closed:
            {
                var problem = Create(context, "case-closed", new LocalizedText(
                    $"Case {closed.CaseNumber} takes no more messages: open a new case (POST /api/v1/cases) with the same conversationId; it will continue this one.",
                    $"工单{closed.CaseNumber}已不再接收消息：请用相同的 conversationId 新建工单（POST /api/v1/cases），新工单将延续此工单。"));
                problem.Extensions["caseNumber"] = closed.CaseNumber;
                return problem;
            }
            case ConflictException conflict:
                return Create(context, "conflict", conflict.Message);
            case ForbiddenException forbidden:
                return Forbidden(context, forbidden.Message);
            case ApiProblemException api:
                return Create(context, api.Kind, api.Detail);
            case BadHttpRequestException bad:
                return FromBadRequest(context, bad);
            default:
                return null;
        }
    }

    // Binding failures (malformed JSON, a wrong type, a missing body) and Kestrel's limits: always the client's.
    private static ProblemDetails FromBadRequest(HttpContext context, BadHttpRequestException bad)
    {
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
            return Create(context, "payload-too-large", new LocalizedText("The request body is larger than this route accepts.", "请求体超过此接口允许的大小。"));
        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
            return Create(context, "unsupported-media-type", new LocalizedText("Send the body as application/json.", "请求体应为 application/json。"));
        if (bad.InnerException is JsonException { Path: { Length: > 1 } path })
            return Field(context, path.TrimStart('$', '.'), new LocalizedText("This value is not of the expected type or is not valid JSON.", "该值类型不正确或不是有效的 JSON。"));
        return Create(context, "malformed-request", new LocalizedText(
            "The body or a parameter could not be read: send valid JSON (UTF-8) with the fields this route takes.",
            "无法读取请求体或参数：请发送符合此接口字段要求的有效 JSON（UTF-8）。"));
    }

    private static string Kebab(BlockKind kind) => kind switch
    {
        BlockKind.UnknownTrigger => "unknown-trigger",
        BlockKind.WrongActor => "wrong-actor",
        BlockKind.Guard => "guard",
        BlockKind.MissingInput => "missing-input",
        BlockKind.InvalidInput => "invalid-input",
        _ => "unknown-input",
    };

    private static string Noun(string what) => what switch
    {
        "Case" => "工单",
        "Offer" => "方案",
        "Evidence" => "证据材料",
        "Merchant" => "商户",
        "User" => "用户",
        "API client" => "API 客户端",
        _ => what,
    };
}
