using System.Security.Claims;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using PosSupport.Core.Negotiation;
using PosSupport.Web.Api.Access;
using PosSupport.Web.Api.Cases;

namespace PosSupport.Web.Api.Offers;

/// <summary>
/// Negotiation: an agent proposes (and may withdraw), a supervisor approves or declines, the merchant (channel) accepts, rejects or counters.
/// </summary>
public static class OffersEndpoints
{
    public static RouteGroupBuilder MapOffers(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var offers = api.MapGroup("/cases/{id:guid}/offers").WithTags("Offers");
        offers.MapPost("/", Propose).Idempotent().RequireAuthorization(ApiCaller.StaffPolicy).WithSummary("Propose an offer (staff)");
        offers.MapPost("/{offerId:guid}/approve", Approve).Idempotent().RequireAuthorization(ApiCaller.SupervisorPolicy)
            .WithSummary("Approve an offer above the agent's authority (supervisor)");
        offers.MapPost("/{offerId:guid}/decline", Decline).Idempotent().RequireAuthorization(ApiCaller.SupervisorPolicy)
            .WithSummary("Decline an offer above the agent's authority (supervisor)");
        offers.MapPost("/{offerId:guid}/withdraw", Withdraw).Idempotent().RequireAuthorization(ApiCaller.StaffPolicy)
            .WithSummary("Withdraw the offer on the table, with the merchant or awaiting approval (staff)");
        offers.MapPost("/{offerId:guid}/accept", Accept).Idempotent().WithSummary("The merchant accepts the offer");
        offers.MapPost("/{offerId:guid}/reject", Reject).Idempotent().WithSummary("The merchant rejects the offer");
        offers.MapPost("/{offerId:guid}/counter", Counter).Idempotent().WithSummary("The merchant counters with the amount they want");
        return offers;
    }

    /// <param name="Kind">One of the kinds the case's workflow offers (full-refund, partial-refund, waive-next-year, plan-change, points-credit...).</param>
    /// <param name="AmountFen">What the company gives up, in fen.</param>
    /// <param name="Final">A final offer: rejecting it escalates the case.</param>
    public sealed record ProposeRequest(string? Kind, long? AmountFen, bool Final = false);

    public sealed record OfferResponse(Guid CaseId, Guid OfferId, string OfferStatus, DateTimeOffset? ExpiresAt, string State, long Version);

    public sealed record ReasonRequest(string? Reason);

    public sealed record CounterRequest(long? CounterAmountFen, string? Note = null);

    public sealed record AnswerResponse(Guid CaseId, Guid OfferId, string OfferStatus, string State, string? Outcome, long Version);

    private static async Task<Created<OfferResponse>> Propose(Guid id, ProposeRequest body, ClaimsPrincipal user, HttpRequest request, IMediator mediator,
        CancellationToken cancellationToken)
    {
        var r = await mediator.Send(new ProposeOffer.Command(id, body.Kind ?? "", body.AmountFen ?? -1, body.Final, ApiCaller.Of(user), CaseVersion.Expected(request)),
            cancellationToken);
        return TypedResults.Created((string?)null, new OfferResponse(r.CaseId, r.OfferId, r.OfferStatus, r.ExpiresAt, r.State, r.Version));
    }

    private static Task<Ok<OfferResponse>> Approve(Guid id, Guid offerId, ClaimsPrincipal user, HttpRequest request, IMediator mediator,
        CancellationToken cancellationToken) => DecideAsync(id, offerId, ApproveOffer.Decision.Approve, null, user, request, mediator, cancellationToken);

    private static Task<Ok<OfferResponse>> Decline(Guid id, Guid offerId, ReasonRequest body, ClaimsPrincipal user, HttpRequest request, IMediator mediator,
        CancellationToken cancellationToken) => DecideAsync(id, offerId, ApproveOffer.Decision.Decline, body.Reason, user, request, mediator, cancellationToken);

    private static async Task<Ok<OfferResponse>> DecideAsync(Guid id, Guid offerId, ApproveOffer.Decision decision, string? reason, ClaimsPrincipal user,
        HttpRequest request, IMediator mediator, CancellationToken cancellationToken)
    {
        var r = await mediator.Send(new ApproveOffer.Command(id, offerId, decision, ApiCaller.Of(user), reason, CaseVersion.Expected(request)), cancellationToken);
        return TypedResults.Ok(new OfferResponse(r.CaseId, r.OfferId, r.OfferStatus, r.ExpiresAt, r.State, r.Version));
    }

    private static async Task<Ok<OfferResponse>> Withdraw(Guid id, Guid offerId, ClaimsPrincipal user, HttpRequest request, IMediator mediator,
        CancellationToken cancellationToken)
    {
        var r = await mediator.Send(new WithdrawOffer.Command(id, offerId, ApiCaller.Of(user), CaseVersion.Expected(request)), cancellationToken);
        return TypedResults.Ok(new OfferResponse(r.CaseId, r.OfferId, r.OfferStatus, null, r.State, r.Version));
    }

    private static Task<Ok<AnswerResponse>> Accept(Guid id, Guid offerId, ClaimsPrincipal user, HttpRequest request, IMediator mediator,
        CancellationToken cancellationToken) =>
        AnswerAsync(new RespondToOffer.Command(id, offerId, RespondToOffer.Answer.Accept, ApiCaller.Of(user), ExpectedVersion: CaseVersion.Expected(request)),
            mediator, cancellationToken);

    private static Task<Ok<AnswerResponse>> Reject(Guid id, Guid offerId, ReasonRequest? body, ClaimsPrincipal user, HttpRequest request, IMediator mediator,
        CancellationToken cancellationToken) =>
        AnswerAsync(new RespondToOffer.Command(id, offerId, RespondToOffer.Answer.Reject, ApiCaller.Of(user), Reason: body?.Reason,
            ExpectedVersion: CaseVersion.Expected(request)), mediator, cancellationToken);

    private static Task<Ok<AnswerResponse>> Counter(Guid id, Guid offerId, CounterRequest body, ClaimsPrincipal user, HttpRequest request, IMediator mediator,
        CancellationToken cancellationToken) =>
        AnswerAsync(new RespondToOffer.Command(id, offerId, RespondToOffer.Answer.Counter, ApiCaller.Of(user), CounterAmountFen: body.CounterAmountFen,
            Note: body.Note, ExpectedVersion: CaseVersion.Expected(request)), mediator, cancellationToken);

    private static async Task<Ok<AnswerResponse>> AnswerAsync(RespondToOffer.Command command, IMediator mediator, CancellationToken cancellationToken)
    {
        var r = await mediator.Send(command, cancellationToken);
        return TypedResults.Ok(new AnswerResponse(r.CaseId, r.OfferId, r.OfferStatus, r.State, r.Outcome, r.Version));
    }
}
