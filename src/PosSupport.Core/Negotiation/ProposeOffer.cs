using System.Globalization;
using FluentValidation;
using MediatR;
using PosSupport.Core.Cases;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Negotiation;

/// <summary>
/// An agent or supervisor puts an offer to the merchant. Above the agent's authority it waits for a supervisor's
/// approval first; otherwise it goes to the merchant at once and expires if unanswered. The offer row is OfferBook's.
/// </summary>
public static class ProposeOffer
{
    public sealed record Command(Guid CaseId, string Kind, long AmountFen, bool IsFinal, Caller Caller, long? ExpectedVersion = null) : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.CaseId).NotEmpty();
            RuleFor(c => c.Kind).NotEmpty().MaximumLength(100);
            RuleFor(c => c.AmountFen).GreaterThanOrEqualTo(0).WithText(new("The value of an offer is 0 fen or more.", "方案金额须不小于 0 分。"));
            RuleFor(c => c.Caller).NotNull();
            RuleFor(c => c.ExpectedVersion).GreaterThan(0).When(c => c.ExpectedVersion is not null);
        }
    }

    /// <param name="OfferStatus"><c>open</c> (with the merchant) or <c>awaiting-approval</c> (with a supervisor).</param>
    public sealed record Result(Guid CaseId, Guid OfferId, string OfferStatus, DateTimeOffset? ExpiresAt, string State, long Version);

    public sealed class Handler(CaseStore store, CaseWorkflow workflow, WorkflowCatalog catalog) : IRequestHandler<Command, Result>
    {
        private const string Trigger = "propose-offer";

        // What each kind gives up is bounded by what is at stake on the case: a refund by the amount charged,
        // a cut of the replacement fee by the fee the contract quotes.
        private static readonly HashSet<string> RefundKinds = new(["full-refund", "partial-refund", "refund-difference"], StringComparer.Ordinal);
        private static readonly HashSet<string> FeeKinds = new(["waive", "reduce", "split"], StringComparer.Ordinal);

        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (!request.Caller.IsStaff) throw new ForbiddenException("Only agents and supervisors propose offers.");
            var record = await store.LoadForChangeAsync(request.CaseId, request.Caller, request.ExpectedVersion, cancellationToken).ConfigureAwait(false);

            var kinds = catalog.Get(record.WorkflowId, record.WorkflowVersion).State(record.State).Transitions
                .Where(t => t.Trigger == Trigger).SelectMany(t => t.Inputs).Where(i => i.Name == "kind")
                .SelectMany(i => i.Options).Distinct(StringComparer.Ordinal).ToList();
            if (kinds.Count > 0 && !kinds.Contains(request.Kind, StringComparer.Ordinal))
                throw ValidationFailedException.For(nameof(Command.Kind), new LocalizedText($"An offer on this case is one of: {string.Join(", ", kinds)}.",
                    $"此工单的方案须为以下之一：{string.Join("、", kinds)}。"));
            if (await AtStakeAsync(record, request.Kind, cancellationToken).ConfigureAwait(false) is { } atStake && request.AmountFen > atStake)
                throw ValidationFailedException.For(nameof(Command.AmountFen), new LocalizedText(
                    string.Create(CultureInfo.InvariantCulture, $"The offer gives up more than the {atStake} fen at stake on this case."),
                    string.Create(CultureInfo.InvariantCulture, $"方案金额超过此工单争议的 {atStake} 分。")));

            var inputs = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["kind"] = request.Kind,
                ["amount"] = request.AmountFen.ToString(CultureInfo.InvariantCulture),
                ["final"] = request.IsFinal ? "true" : "false",
            };
            await workflow.FireAsync(record, request.Caller, Trigger, inputs, request.ExpectedVersion, cancellationToken).ConfigureAwait(false);

            var offer = await store.Session.QuerySingleOrDefaultAsync<OfferRecord>(OfferOnTheTable, new { caseId = record.Id }, cancellationToken)
                .ConfigureAwait(false) ?? throw new InvalidOperationException($"'{Trigger}' left case {record.Id} without an offer.");
            return new Result(record.Id, offer.Id, offer.Status, offer.ExpiresAt, record.State, record.Version);
        }

        private async Task<long?> AtStakeAsync(CaseRecord record, string kind, CancellationToken cancellationToken)
        {
            if (RefundKinds.Contains(kind)) return record.ClaimAmountFen;
            if (!FeeKinds.Contains(kind)) return null;
            return await store.Session.ExecuteScalarAsync<long?>("SELECT replacement_fee_fen FROM case_contracts WHERE case_id = @id",
                new { id = record.Id }, cancellationToken).ConfigureAwait(false);
        }

        private const string OfferOnTheTable =
            $"SELECT {OfferRecord.Columns} FROM offers WHERE case_id = @caseId AND status IN ('open', 'awaiting-approval')";
    }
}
