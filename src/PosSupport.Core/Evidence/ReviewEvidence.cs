using System.Globalization;
using FluentValidation;
using MediatR;
using PosSupport.Core.Cases;
using PosSupport.Core.Data;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Evidence;

/// <summary>
/// An agent or supervisor accepts a received item, or rejects it with a reason: the merchant is told why, in their
/// language, and the type is requested again. Accepting the last document the state requires moves the case on by
/// itself (<c>evidence-complete</c>, fired as the system in the same transaction) where the workflow lets the system do so.
/// </summary>
public static class ReviewEvidence
{
    public enum Verdict { Accept, Reject }

    public sealed record Command(Guid CaseId, Guid EvidenceId, Verdict Verdict, Caller Caller, string? Reason = null, long? ExpectedVersion = null)
        : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.CaseId).NotEmpty();
            RuleFor(c => c.EvidenceId).NotEmpty();
            RuleFor(c => c.Verdict).IsInEnum();
            RuleFor(c => c.Reason).NotEmpty().When(c => c.Verdict == Verdict.Reject).WithText(new("A rejection needs a reason the merchant can act on.", "驳回须写明商户可据以补正的原因。"));
            RuleFor(c => c.Reason).MaximumLength(1000);
            RuleFor(c => c.Caller).NotNull();
            RuleFor(c => c.ExpectedVersion).GreaterThan(0).When(c => c.ExpectedVersion is not null);
        }
    }

    /// <param name="RequestedAgainId">The new 'requested' item after a rejection.</param>
    /// <param name="State">The case's state afterwards: the next one when accepting completed the evidence.</param>
    public sealed record Result(Guid EvidenceId, string Status, Guid? RequestedAgainId, string State, long Version);

    public sealed class Handler(CaseStore store, CaseSession session, CaseWorkflow workflow, WorkflowEngine engine, PosSupportOptions options, TimeProvider clock)
        : IRequestHandler<Command, Result>
    {
        private static readonly LocalizedText Rejected = new(
            "Case {0}: we could not accept the {1} you sent. Please send it again. Reason: {2}",
            "工单{0}：您提交的{1}未通过审核，请重新提交。原因：{2}");

        private static readonly IReadOnlyDictionary<string, string> NoInputs = new Dictionary<string, string>();

        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (!request.Caller.IsStaff) throw new ForbiddenException("Only agents and supervisors review evidence.");
            var record = await store.LoadAsync(request.CaseId, cancellationToken).ConfigureAwait(false);
            var item = await session.QuerySingleOrDefaultAsync<ItemRow>(
                "SELECT id AS Id, type AS Type, status AS Status FROM evidence_items WHERE id = @EvidenceId AND case_id = @CaseId", request, cancellationToken)
                .ConfigureAwait(false) ?? throw new NotFoundException("Evidence", request.EvidenceId.ToString("D"));
            if (item.Status != "received") throw new ConflictException($"This {item.Type} item is {item.Status}; only received items can be reviewed.");
            if (record.StateKind == "final") throw new ConflictException($"Case {record.Number} is closed; its evidence can no longer be reviewed.");

            await store.BumpAsync(record, request.ExpectedVersion, cancellationToken).ConfigureAwait(false);
            var now = clock.GetUtcNow();
            var accept = request.Verdict == Verdict.Accept;
            var status = accept ? "accepted" : "rejected";
            var reason = accept ? null : request.Reason!.Trim();
            await session.ExecuteAsync(
                "UPDATE evidence_items SET status = @status, reviewer_id = @reviewer, reviewed_at = @now, reason = @reason WHERE id = @id",
                new { status, reviewer = request.Caller.Id, now, reason, id = item.Id }, cancellationToken).ConfigureAwait(false);

            Guid? again = null;
            if (accept)
            {
                await store.AppendEventAsync(record.Id, "evidence-accepted", request.Caller, merchantVisible: true, new { evidence = item.Id, type = item.Type },
                    cancellationToken).ConfigureAwait(false);
                await CompleteIfAllAcceptedAsync(record, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                again = Guid.CreateVersion7(now);
                await session.ExecuteAsync(
                    "INSERT INTO evidence_items (id, case_id, type, status, requested_at) VALUES (@again, @caseId, @type, 'requested', @now)",
                    new { again, caseId = record.Id, type = item.Type, now }, cancellationToken).ConfigureAwait(false);
                await store.AppendEventAsync(record.Id, "evidence-rejected", request.Caller, merchantVisible: true,
                    new { evidence = item.Id, type = item.Type, reason }, cancellationToken).ConfigureAwait(false);
                await store.AppendEventAsync(record.Id, "evidence-requested", request.Caller, merchantVisible: true,
                    new { types = new[] { item.Type }, evidence = again }, cancellationToken).ConfigureAwait(false);
                await TellMerchantAsync(record, request.Caller, item.Type, reason!, cancellationToken).ConfigureAwait(false);
            }
            session.PublishAfterCommit(CaseChanged.Of(record));
            return new Result(item.Id, status, again, record.State, record.Version);
        }

        private async Task CompleteIfAllAcceptedAsync(CaseRecord record, CancellationToken cancellationToken)
        {
            var required = engine.Catalog.Get(record.WorkflowId, record.WorkflowVersion).State(record.State).RequiresEvidence;
            if (required.Count == 0) return;
            // Most reviews leave the set incomplete: one statement tells, before the whole snapshot is read.
            var accepted = await store.AcceptedEvidenceTypesAsync(record.Id, cancellationToken).ConfigureAwait(false);
            if (!required.All(accepted.Contains)) return;
            var read = await store.ReadSnapshotAsync(record, options.AgentOfferAuthorityFen, cancellationToken).ConfigureAwait(false);
            // The state must declare the trigger for the system, and nothing else may block it: a refused fire would undo the review.
            if (!engine.AllowedActions(read.Snapshot, Actor.System).Any(a => a is { Trigger: "evidence-complete", Allowed: true })) return;
            await workflow.FireAsync(record, Caller.System("evidence-review"), "evidence-complete", NoInputs, null, read, cancellationToken).ConfigureAwait(false);
        }

        private async Task TellMerchantAsync(CaseRecord record, Caller caller, string type, string reason, CancellationToken cancellationToken)
        {
            var language = await session.ExecuteScalarAsync<string>("SELECT preferred_language FROM merchants WHERE id = @id", new { id = record.MerchantId },
                cancellationToken).ConfigureAwait(false) ?? "zh-CN";
            var title = EvidenceCatalog.All.TryGetValue(type, out var known) ? known.Title.For(language) : type;
            if (!language.StartsWith("zh", StringComparison.OrdinalIgnoreCase)) title = title.ToLowerInvariant();
            var body = string.Format(CultureInfo.InvariantCulture, Rejected.For(language), record.Number, title, reason);
            await session.ExecuteAsync("""
                INSERT INTO outbox_messages (id, case_id, recipient, template, language, body, status, created_at)
                VALUES (@id, @caseId, 'merchant', 'evidence-rejected', @language, @body, 'pending', @now)
                """, new { id = Guid.CreateVersion7(), caseId = record.Id, language, body, now = clock.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
            await store.AppendEventAsync(record.Id, "message-queued", caller, merchantVisible: true,
                new { recipient = "merchant", template = "evidence-rejected", language, body }, cancellationToken).ConfigureAwait(false);
        }

        private sealed class ItemRow
        {
            public Guid Id { get; set; }
            public string Type { get; set; } = "";
            public string Status { get; set; } = "";
        }
    }
}
