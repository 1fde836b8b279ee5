using FluentValidation;
using MediatR;
using PosSupport.Core.Cases;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Negotiation;

/// <summary>
/// A supervisor decides on an offer above an agent's authority: approved, it goes to the merchant and starts its
/// expiry clock; declined (with a reason for the agent), the case goes back to negotiating.
/// </summary>
public static class ApproveOffer
{
    public enum Decision { Approve, Decline }

    public sealed record Command(Guid CaseId, Guid OfferId, Decision Decision, Caller Caller, string? Reason = null, long? ExpectedVersion = null)
        : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.CaseId).NotEmpty();
            RuleFor(c => c.OfferId).NotEmpty();
            RuleFor(c => c.Decision).IsInEnum();
            RuleFor(c => c.Caller).NotNull();
            RuleFor(c => c.Reason).NotEmpty().When(c => c.Decision == Decision.Decline).WithText(new("Say why the offer is declined.", "请说明不批准该方案的原因。"));
            RuleFor(c => c.Reason).Empty().When(c => c.Decision == Decision.Approve).WithText(new("An approval takes no reason.", "批准无需填写原因。"));
            RuleFor(c => c.Reason).MaximumLength(4000);
            RuleFor(c => c.ExpectedVersion).GreaterThan(0).When(c => c.ExpectedVersion is not null);
        }
    }

    /// <param name="OfferStatus"><c>open</c> once approved, <c>declined</c> otherwise.</param>
    public sealed record Result(Guid CaseId, Guid OfferId, string OfferStatus, DateTimeOffset? ExpiresAt, string State, long Version);

    public sealed class Handler(CaseStore store, CaseWorkflow workflow) : IRequestHandler<Command, Result>
    {
        private const string OfferSql = $"SELECT {OfferRecord.Columns} FROM offers WHERE id = @offerId AND case_id = @caseId";

        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (request.Caller.Actor != Actor.Supervisor) throw new ForbiddenException("Only a supervisor approves or declines an offer.");
            var record = await store.LoadForChangeAsync(request.CaseId, request.Caller, request.ExpectedVersion, cancellationToken).ConfigureAwait(false);
            var param = new { offerId = request.OfferId, caseId = record.Id };
            var offer = await store.Session.QuerySingleOrDefaultAsync<OfferRecord>(OfferSql, param, cancellationToken).ConfigureAwait(false)
                        ?? throw new NotFoundException("Offer", request.OfferId.ToString("D"));
            if (offer.Status != "awaiting-approval")
                throw new ConflictException($"This offer is not awaiting approval: it is {offer.Status}.");

            var (trigger, inputs) = request.Decision == Decision.Approve
                ? ("approve-offer", new Dictionary<string, string>(StringComparer.Ordinal))
                : ("reject-offer", new Dictionary<string, string>(StringComparer.Ordinal) { ["reason"] = request.Reason! });
            await workflow.FireAsync(record, request.Caller, trigger, inputs, request.ExpectedVersion, cancellationToken).ConfigureAwait(false);

            offer = await store.Session.QuerySingleOrDefaultAsync<OfferRecord>(OfferSql, param, cancellationToken).ConfigureAwait(false) ?? offer;
            return new Result(record.Id, offer.Id, offer.Status, offer.ExpiresAt, record.State, record.Version);
        }
    }
}
