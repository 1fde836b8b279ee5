using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using PosSupport.Core.Cases;
using PosSupport.Core.Channels;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;
using PosSupport.Web.Api.Access;
using PosSupport.Web.Api.Problems;

namespace PosSupport.Web.Api.Cases;

/// <summary>Cases: open, read, list, timeline, messages, any workflow action, assignment and notes.</summary>
public static class CasesEndpoints
{
    public static RouteGroupBuilder MapCases(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var cases = api.MapGroup("/cases").WithTags("Cases");
        cases.MapPost("/", Open).Idempotent().WithSummary("Open a case");
        cases.MapGet("/", List).WithSummary("List cases (a channel sees the cases it opened), newest change first");
        cases.MapGet("/{id:guid}", Get).WithSummary("Read a case as the caller may see it; ETag is its version");
        cases.MapGet("/{id:guid}/timeline", Timeline).WithSummary("The case's timeline, oldest first, a page at a time");
        cases.MapPost("/{id:guid}/messages", Message).Idempotent().WithSummary("A message from the merchant (channel) or to the merchant (staff)");
        cases.MapPost("/{id:guid}/actions/{trigger}", Fire).Idempotent().WithSummary("Fire a workflow trigger the caller's role may fire");
        cases.MapPost("/{id:guid}/assign", Assign).Idempotent().RequireAuthorization(ApiCaller.StaffPolicy).WithSummary("Assign the case (staff)");
        cases.MapPost("/{id:guid}/notes", Note).Idempotent().RequireAuthorization(ApiCaller.StaffPolicy).WithSummary("An internal note (staff)");
        return cases;
    }

    /// <param name="Type">The workflow id: data-fee-cancellation, device-replacement or fee-rate-dispute.</param>
    /// <param name="ClaimAmountFen">Data-fee: the amount charged; fee-rate: the amount overcharged; in fen (99 CNY = 9900).</param>
    /// <param name="ClaimChargedOn">Data-fee: when the fee was charged (yyyy-MM-dd).</param>
    /// <param name="ClaimChargedRateBp">Fee-rate: the rate charged in basis points (0.60% = 60).</param>
    public sealed record OpenCaseRequest(string? Type, Guid? MerchantId, string? Description, string? DeviceSerial = null, string? ConversationId = null,
        string? Priority = null, long? ClaimAmountFen = null, DateOnly? ClaimChargedOn = null, int? ClaimChargedRateBp = null);

    /// <param name="PreviousCaseId">The earlier, finished case of the same conversation that this one continues.</param>
    public sealed record OpenedCase(Guid Id, string Number, string State, long Version, Guid? PreviousCaseId);

    public sealed record MessageRequest(string? Text, string? ProviderMessageId = null);

    /// <param name="Duplicate">The provider message id was seen before: this is the original message, nothing changed.</param>
    /// <param name="Reopened">The message reopened the resolved case.</param>
    public sealed record MessageResponse(Guid MessageId, Guid CaseId, string Direction, DateTimeOffset At, long Version, bool Duplicate, bool Reopened);

    /// <param name="Inputs">The trigger's inputs by name: strings, numbers (money in fen) or booleans.</param>
    public sealed record ActionRequest(Dictionary<string, JsonElement>? Inputs = null);

    public sealed record ActionResponse(Guid CaseId, string State, long Version, string? Outcome);

    /// <param name="AssigneeId">An agent's or supervisor's user id; null returns the case to the unassigned queue.</param>
    public sealed record AssignRequest(Guid? AssigneeId);

    public sealed record AssignResponse(Guid CaseId, Guid? AssigneeId, long Version);

    public sealed record NoteRequest(string? Text);

    public sealed record VersionResponse(Guid CaseId, long Version);

    private static async Task<Created<OpenedCase>> Open(OpenCaseRequest body, ClaimsPrincipal user, IMediator mediator, CancellationToken cancellationToken)
    {
        var result = await mediator.Send(new OpenCase.Command(body.Type ?? "", body.MerchantId ?? Guid.Empty, body.Description ?? "", ApiCaller.Of(user),
            body.Priority ?? "normal", body.DeviceSerial, body.ConversationId, body.ClaimAmountFen, body.ClaimChargedOn, body.ClaimChargedRateBp), cancellationToken);
        return TypedResults.Created($"/api/v1/cases/{result.Id:D}", new OpenedCase(result.Id, result.Number, result.State, result.Version, result.PreviousCaseId));
    }

    private static async Task<Ok<CaseView>> Get(Guid id, ClaimsPrincipal user, HttpContext context, IMediator mediator, CancellationToken cancellationToken)
    {
        var result = await mediator.Send(new GetCase.Query(id, ApiCaller.Of(user)), cancellationToken);
        context.Response.Headers.ETag = CaseVersion.ETag(result.Case.Version);
        return TypedResults.Ok(CaseView.From(result, context, staff: !ApiCaller.IsChannel(user)));
    }

    private static async Task<Ok<CaseList>> List(ClaimsPrincipal user, HttpContext context, IMediator mediator, CancellationToken cancellationToken,
        Guid? merchantId = null, string? conversationId = null, string? state = null, string? cursor = null, int? limit = null)
    {
        var result = await mediator.Send(new FindCases.Query(ApiCaller.Of(user), merchantId, conversationId, state, cursor, limit ?? FindCases.DefaultPageSize),
            cancellationToken);
        return TypedResults.Ok(new CaseList(result.Rows.Select(r => new CaseListItem(r.Id, r.Number, r.Type, r.State, r.StateKind,
            ApiLanguage.Text(context, r.StateTitle), r.Outcome, r.MerchantId, r.ConversationId, r.Version, r.OpenedAt, r.UpdatedAt)).ToList(), result.NextCursor));
    }

    private static async Task<Ok<TimelinePage>> Timeline(Guid id, ClaimsPrincipal user, IMediator mediator, CancellationToken cancellationToken,
        long? after = null, int? limit = null)
    {
        var result = await mediator.Send(new GetTimeline.Query(id, ApiCaller.Of(user), after, limit ?? GetTimeline.DefaultLimit), cancellationToken);
        return TypedResults.Ok(new TimelinePage(result.CaseId, result.Events.Select(TimelineEventView.From).ToList(), result.NextAfterSeq));
    }

    private static async Task<Results<Created<MessageResponse>, Ok<MessageResponse>>> Message(Guid id, MessageRequest body, ClaimsPrincipal user,
        HttpRequest request, IMediator mediator, CancellationToken cancellationToken)
    {
        var result = await mediator.Send(new AddMessage.Command(id, body.Text ?? "", ApiCaller.Of(user), body.ProviderMessageId, CaseVersion.Expected(request)),
            cancellationToken);
        var response = new MessageResponse(result.MessageId, result.CaseId, result.Direction, result.At, result.Version, result.Duplicate, result.Reopened);
        return result.Duplicate ? TypedResults.Ok(response) : TypedResults.Created((string?)null, response);
    }

    private static async Task<Ok<ActionResponse>> Fire(Guid id, string trigger, ActionRequest? body, ClaimsPrincipal user, HttpRequest request,
        IMediator mediator, CancellationToken cancellationToken)
    {
        var inputs = Inputs(body?.Inputs);
        var result = await mediator.Send(new FireTrigger.Command(id, trigger, inputs, ApiCaller.Of(user), CaseVersion.Expected(request)), cancellationToken);
        return TypedResults.Ok(new ActionResponse(result.CaseId, result.State, result.Version, result.Outcome));
    }

    private static async Task<Ok<AssignResponse>> Assign(Guid id, AssignRequest body, ClaimsPrincipal user, HttpRequest request, IMediator mediator,
        CancellationToken cancellationToken)
    {
        var result = await mediator.Send(new Core.Cases.Assign.Command(id, body.AssigneeId, ApiCaller.Of(user), CaseVersion.Expected(request)), cancellationToken);
        return TypedResults.Ok(new AssignResponse(result.CaseId, result.AssigneeId, result.Version));
    }

    private static async Task<Created<VersionResponse>> Note(Guid id, NoteRequest body, ClaimsPrincipal user, HttpRequest request, IMediator mediator,
        CancellationToken cancellationToken)
    {
        var result = await mediator.Send(new AddNote.Command(id, body.Text ?? "", ApiCaller.Of(user), CaseVersion.Expected(request)), cancellationToken);
        return TypedResults.Created((string?)null, new VersionResponse(result.CaseId, result.Version));
    }

    // Workflow inputs are text in the engine: numbers keep their JSON spelling, booleans are true/false.
    private static Dictionary<string, string> Inputs(Dictionary<string, JsonElement>? inputs)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (inputs is null) return result;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (name, value) in inputs)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String: result[name] = value.GetString()!; break;
                case JsonValueKind.Number: result[name] = value.GetRawText(); break;
                case JsonValueKind.True: result[name] = "true"; break;
                case JsonValueKind.False: result[name] = "false"; break;
                case JsonValueKind.Null: break;
                default:
                    errors["inputs." + name] = [CultureInfo.CurrentUICulture.Name.StartsWith("zh", StringComparison.Ordinal)
                        ? "输入值应为字符串、数字或布尔值。" : "An input is a string, a number or a boolean."];
                    break;
            }
        }
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        return result;
    }

    /// <summary>Requires an Idempotency-Key on the route (see IdempotencyMiddleware).</summary>
    public static RouteHandlerBuilder Idempotent(this RouteHandlerBuilder route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return route.WithMetadata(new Idempotency.IdempotencyKeyRequired())
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }
}
