using FluentValidation;
using MediatR;
using PosSupport.Core.Cases;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Negotiation;

/// <summary>
/// An agent or supervisor takes back the offer on the table (with the merchant, or still waiting for a supervisor) and the
/// case goes back to negotiating. It is the workflow's <c>withdraw-offer</c> step, so the merchant is told when they had
/// seen the offer, and its expiry and reminders are cancelled with the state. Workflow versions before that step refuse.
/// </summary>
public static class WithdrawOffer
{
    public const string Trigger = "withdraw-offer";

    public sealed record Command(Guid CaseId, Guid OfferId, Caller Caller, long? ExpectedVersion = null) : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.CaseId).NotEmpty();
            RuleFor(c => c.OfferId).NotEmpty();
            RuleFor(c => c.Caller).NotNull();
            RuleFor(c => c.ExpectedVersion).GreaterThan(0).When(c => c.ExpectedVersion is not null);
        }
    }

    /// <param name="OfferStatus"><c>withdrawn</c>.</param>
    public sealed record Result(Guid CaseId, Guid OfferId, string OfferStatus, string State, long Version);

    public sealed class Handler(CaseStore store, CaseWorkflow workflow, WorkflowCatalog catalog) : IRequestHandler<Command, Result>
    {
        private const string OfferSql = $"SELECT {OfferRecord.Columns} FROM offers WHERE id = @offerId AND case_id = @caseId";
        private const string CurrentSql =
            $"SELECT {OfferRecord.Columns} FROM offers WHERE case_id = @caseId AND status IN ('open', 'awaiting-approval') ORDER BY proposed_at DESC LIMIT 1";

        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (!request.Caller.IsStaff) throw new ForbiddenException("Only agents and supervisors withdraw offers.");
            var record = await store.LoadForChangeAsync(request.CaseId, request.Caller, request.ExpectedVersion, cancellationToken).ConfigureAwait(false);
            var param = new { offerId = request.OfferId, caseId = record.Id };
            var offer = await store.Session.QuerySingleOrDefaultAsync<OfferRecord>(OfferSql, param, cancellationToken).ConfigureAwait(false)
                        ?? throw new NotFoundException("Offer", request.OfferId.ToString("D"));
            var current = await store.Session.QuerySingleOrDefaultAsync<OfferRecord>(CurrentSql, new { caseId = record.Id }, cancellationToken)
                .ConfigureAwait(false);
            if (current?.Id != offer.Id)
                throw new ConflictException($"This offer is not the case's current offer: it is {offer.Status}.");

            // The engine would only say "no such action here"; on a case pinned to a version without the step, say what to do.
            var definition = catalog.Get(record.WorkflowId, record.WorkflowVersion);
            if (!definition.States.Any(s => s.Transitions.Any(t => t.Trigger == Trigger)))
                throw new TransitionNotAllowedException(Trigger, [new BlockedReason(BlockKind.UnknownTrigger, Trigger, new LocalizedText(
                    $"This case's workflow version ({definition.Id} v{definition.Version}) has no withdraw step; migrate it to a newer version first.",
                    $"此工单所用的流程版本（{definition.Id} 第 {definition.Version} 版）没有撤回方案这一步；请先将其迁移到新版本。"))]);

            await workflow.FireAsync(record, request.Caller, Trigger, new Dictionary<string, string>(StringComparer.Ordinal), request.ExpectedVersion,
                cancellationToken).ConfigureAwait(false);

            offer = await store.Session.QuerySingleOrDefaultAsync<OfferRecord>(OfferSql, param, cancellationToken).ConfigureAwait(false) ?? offer;
            return new Result(record.Id, offer.Id, offer.Status, record.State, record.Version);
        }
    }
}
