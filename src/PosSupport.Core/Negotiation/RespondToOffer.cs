using System.Globalization;
using FluentValidation;
using MediatR;
using PosSupport.Core.Cases;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Negotiation;

/// <summary>
/// The merchant answers the offer on the table, through a chat channel or an agent speaking for them: accept it,
/// reject it (a rejected final offer escalates), or counter with the amount they want.
/// </summary>
public static class RespondToOffer
{
    public enum Answer { Accept, Reject, Counter }

    public sealed record Command(
        Guid CaseId,
        Guid OfferId,
        Answer Answer,
        Caller Caller,
        string? Reason = null,
        long? CounterAmountFen = null,
        string? Note = null,
        long? ExpectedVersion = null) : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.CaseId).NotEmpty();
            RuleFor(c => c.OfferId).NotEmpty();
            RuleFor(c => c.Answer).IsInEnum();
            RuleFor(c => c.Caller).NotNull();
            RuleFor(c => c.Reason).Empty().When(c => c.Answer != Answer.Reject).WithText(new("Only a rejection takes a reason.", "只有拒绝才需填写原因。"));
            RuleFor(c => c.Reason).MaximumLength(4000);
            RuleFor(c => c.CounterAmountFen).NotNull().GreaterThanOrEqualTo(0).When(c => c.Answer == Answer.Counter)
                .WithText(new("A counter-proposal names the amount the merchant asks for, 0 fen or more.",
                    "还价须写明商户要求的金额，不小于 0 分。"));
            RuleFor(c => c.CounterAmountFen).Null().When(c => c.Answer != Answer.Counter).WithText(new("Only a counter-proposal takes an amount.", "只有还价才需填写金额。"));
            RuleFor(c => c.Note).Empty().When(c => c.Answer != Answer.Counter).WithText(new("Only a counter-proposal takes a note.", "只有还价才可附言。"));
            RuleFor(c => c.Note).MaximumLength(4000);
            RuleFor(c => c.ExpectedVersion).GreaterThan(0).When(c => c.ExpectedVersion is not null);
        }
    }

    /// <param name="OfferStatus">What became of the offer: <c>accepted</c>, <c>rejected</c> or <c>countered</c>.</param>
    /// <param name="AgreedFeeFen">The replacement fee the merchant now owes (device cases; 0 otherwise).</param>
    public sealed record Result(Guid CaseId, Guid OfferId, string OfferStatus, string State, string? Outcome, long AgreedFeeFen, long Version);

    public sealed class Handler(CaseStore store, CaseWorkflow workflow, WorkflowCatalog catalog, TimeProvider clock) : IRequestHandler<Command, Result>
    {
        private const string OfferSql = $"SELECT {OfferRecord.Columns} FROM offers WHERE id = @offerId AND case_id = @caseId";

        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (request.Caller.Actor is not (Actor.Customer or Actor.Agent))
                throw new ForbiddenException("Only the merchant, or an agent on the merchant's behalf, answers an offer.");
            var record = await store.LoadForChangeAsync(request.CaseId, request.Caller, request.ExpectedVersion, cancellationToken).ConfigureAwait(false);
            var param = new { offerId = request.OfferId, caseId = record.Id };
            var offer = await store.Session.QuerySingleOrDefaultAsync<OfferRecord>(OfferSql, param, cancellationToken).ConfigureAwait(false);
            // An offer waiting for a supervisor is not the merchant's to see yet.
            if (offer is null || (offer.Status == "awaiting-approval" && request.Caller.Actor == Actor.Customer))
                throw new NotFoundException("Offer", request.OfferId.ToString("D"));
            // Past its expiry an offer is off the table even before the expiry job has run.
            if (offer.Status != "open" || offer.ExpiresAt <= clock.GetUtcNow())
                throw new ConflictException("This offer is no longer open.");

            var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
            string trigger;
            switch (request.Answer)
            {
                case Answer.Accept:
                    trigger = AcceptTrigger(catalog.Get(record.WorkflowId, record.WorkflowVersion).State(record.State), offer.Kind);
                    break;
                case Answer.Reject:
                    trigger = "reject";
                    if (!string.IsNullOrWhiteSpace(request.Reason)) inputs["reason"] = request.Reason;
                    break;
                default:
                    trigger = "counter";
                    inputs["counterAmount"] = request.CounterAmountFen!.Value.ToString(CultureInfo.InvariantCulture);
                    if (!string.IsNullOrWhiteSpace(request.Note)) inputs["note"] = request.Note;
                    break;
            }
            await workflow.FireAsync(record, request.Caller, trigger, inputs, request.ExpectedVersion, cancellationToken).ConfigureAwait(false);

            offer = await store.Session.QuerySingleOrDefaultAsync<OfferRecord>(OfferSql, param, cancellationToken).ConfigureAwait(false) ?? offer;
            return new Result(record.Id, offer.Id, offer.Status, record.State, record.Outcome, record.AgreedFeeFen, record.Version);
        }

        /// <summary>
        /// <c>accept-&lt;kind&gt;</c> when the state has it (kinds that end differently have their own trigger), else the kind's leading words
        /// (<c>refund-difference</c> → <c>accept-refund</c>), else <c>accept-offer</c>. When none fits, <c>accept-&lt;kind&gt;</c> is fired
        /// anyway so the workflow explains the refusal.
        /// </summary>
        internal static string AcceptTrigger(StateDefinition state, string kind)
        {
            var candidates = new List<string>();
            for (var words = kind; words.Length > 0; words = words.Contains('-', StringComparison.Ordinal) ? words[..words.LastIndexOf('-')] : "")
                candidates.Add("accept-" + words);
            candidates.Add("accept-offer");
            return candidates.FirstOrDefault(c => c != "accept-fee" && state.Transitions.Any(t => t.Trigger == c)) ?? candidates[0];
        }
    }
}
