using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Cases;

/// <summary>
/// Passes a case up: to a supervisor (tier 1) or to tier-2 support (tier 2), with the reason — the merchant rejected
/// the final offer, an SLA was breached, the merchant threatens an external complaint (regulator hotline). Fires the
/// workflow's shared <c>escalate</c>; a case already escalated can still be raised to a higher tier.
/// </summary>
public static class Escalate
{
    public const int Supervisor = 1;
    public const int TierTwo = 2;

    public sealed record Command(Guid CaseId, int Tier, string Reason, Caller Caller, long? ExpectedVersion = null) : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.CaseId).NotEmpty();
            RuleFor(c => c.Tier).InclusiveBetween(Supervisor, TierTwo).WithMessage("Tier is 1 (a supervisor) or 2 (tier-2 support).");
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(4000);
            RuleFor(c => c.Caller).NotNull();
            RuleFor(c => c.ExpectedVersion).GreaterThan(0).When(c => c.ExpectedVersion is not null);
        }
    }

    public sealed record Result(Guid CaseId, string State, int EscalationTier, long Version);

    public sealed class Handler(CaseStore store, CaseWorkflow workflow, WorkflowCatalog catalog) : IRequestHandler<Command, Result>
    {
        private const string RaiseTier = """
            UPDATE cases SET escalation_tier = CASE WHEN escalation_tier < @tier THEN @tier ELSE escalation_tier END
             WHERE id = @id AND version = @version
            """;

        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (request.Caller.Actor == Actor.Customer) throw new ForbiddenException("Staff or the system escalate a case, not a channel.");
            var record = await store.LoadForChangeAsync(request.CaseId, request.Caller, request.ExpectedVersion, cancellationToken).ConfigureAwait(false);

            if (record.State == CaseWorkflow.EscalatedState(catalog.Get(record.WorkflowId, record.WorkflowVersion)))
            {
                if (request.Tier <= record.EscalationTier)
                    throw new ConflictException($"The case is already escalated to tier {record.EscalationTier}.");
                await store.BumpAsync(record, request.ExpectedVersion, cancellationToken).ConfigureAwait(false);
                store.Session.PublishAfterCommit(CaseChanged.Of(record));
            }
            else
            {
                await workflow.FireAsync(record, request.Caller, "escalate", new Dictionary<string, string>(StringComparer.Ordinal) { ["reason"] = request.Reason },
                    request.ExpectedVersion, cancellationToken).ConfigureAwait(false);
            }

            // The row was written at this version in this transaction just above, so the version check cannot miss.
            if (await store.Session.ExecuteAsync(RaiseTier, new { tier = request.Tier, id = record.Id, version = record.Version }, cancellationToken)
                    .ConfigureAwait(false) != 1)
                throw new InvalidOperationException($"Case {record.Id} moved away from version {record.Version} inside its own transaction.");
            record.EscalationTier = Math.Max(record.EscalationTier, request.Tier);
            await store.AppendEventAsync(record.Id, "escalation", request.Caller, merchantVisible: false, new
            {
                tier = request.Tier, reason = request.Reason, title = Title(request.Tier),
            }, cancellationToken).ConfigureAwait(false);
            return new Result(record.Id, record.State, record.EscalationTier, record.Version);
        }

        private static LocalizedText Title(int tier) =>
            tier == TierTwo ? new("Escalated to tier-2 support", "已升级至二线支持") : new("Escalated to a supervisor", "已升级至主管");
    }
}
