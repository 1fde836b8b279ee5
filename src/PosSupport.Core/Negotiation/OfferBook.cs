using PosSupport.Core.Cases;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Negotiation;

/// <summary>
/// What the negotiation triggers of a workflow mean for the <c>offers</c> table, whichever way they are fired
/// (offer slices, the generic FireTrigger, a follow-up job). The trigger names are the convention documented in
/// workflows/README.md: propose-offer, approve-offer, reject-offer, accept-*, accept-fee, reject, counter, offer-expired, withdraw-offer.
/// </summary>
public sealed class OfferBook(CaseSession session, TimeProvider clock)
{
    /// <summary>
    /// Plans the offer changes of a transition before the case row is written; <see cref="OfferPlan.WriteAsync"/> writes them
    /// after. <paramref name="current"/> is the offer on the table as the transition's snapshot read it
    /// (<see cref="SnapshotRead.CurrentOffer"/>).
    /// </summary>
    public async Task<OfferPlan> PlanAsync(CaseRecord record, Caller caller, TransitionDefinition transition,
        IReadOnlyDictionary<string, string> inputs, IReadOnlyList<WorkflowEffect> effects, OfferRecord? current, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(transition);
        var now = clock.GetUtcNow();
        var expiresAt = effects.OfType<FollowUpScheduled>().FirstOrDefault(f => f.FollowUp.Fire == "offer-expired")?.DueAt;
        var plan = new OfferPlan(session, record.Id);

        switch (transition.Trigger)
        {
            case "propose-offer":
                if (current is not null) plan.SetStatus(current.Id, "withdrawn", now);
                var needsApproval = transition.When.Any(g => g is { Name: "offer.within-authority", Negated: true });
                plan.Insert(new OfferRecord
                {
                    Id = Guid.CreateVersion7(now), CaseId = record.Id, Kind = inputs.GetValueOrDefault("kind", "partial-refund"),
                    AmountFen = InputValues.Money(inputs, "amount"), IsFinal = InputValues.Boolean(inputs, "final"),
                    Status = needsApproval ? "awaiting-approval" : "open", NeedsApproval = needsApproval,
                    ProposedBy = caller.Id, ProposedAt = now, ExpiresAt = needsApproval ? null : expiresAt,
                });
                break;
            case "approve-offer" when current is { Status: "awaiting-approval" }:
                plan.Approve(current.Id, caller.Id, expiresAt);
                break;
            case "reject-offer" when current is { Status: "awaiting-approval" }:
                plan.SetStatus(current.Id, "declined", now);
                break;
            case "accept-fee":
                plan.AgreedFeeFen = await ReplacementFeeAsync(record, cancellationToken).ConfigureAwait(false);
                break;
            case var accept when accept.StartsWith("accept-", StringComparison.Ordinal) && current is { Status: "open" }:
                plan.SetStatus(current.Id, "accepted", now);
                plan.Accepted = current;
                if (record.WorkflowId == "device-replacement")
                    plan.AgreedFeeFen = Math.Max(0, await ReplacementFeeAsync(record, cancellationToken).ConfigureAwait(false) - current.AmountFen);
                break;
            case "reject" when current is { Status: "open" }:
                plan.SetStatus(current.Id, "rejected", now);
                break;
            case "counter" when current is { Status: "open" }:
                plan.SetStatus(current.Id, "countered", now, inputs.TryGetValue("counterAmount", out _) ? InputValues.Money(inputs, "counterAmount") : null);
                break;
            case "offer-expired" when current is { Status: "open" }:
                plan.SetStatus(current.Id, "expired", now);
                break;
            case "withdraw-offer" when current is { Status: "open" or "awaiting-approval" }:
                plan.SetStatus(current.Id, "withdrawn", now);
                break;
            default:
                // Leaving the offer's state any other way (escalate, withdraw, switch POS, decline the replacement) withdraws what
                // is on the table: its expiry follow-up is cancelled with the state, so it could never be answered or expire.
                if (current is not null && transition.To != record.State)
                    plan.SetStatus(current.Id, "withdrawn", now);
                break;
        }
        return plan;
    }

    private async Task<long> ReplacementFeeAsync(CaseRecord record, CancellationToken cancellationToken) =>
        await session.ExecuteScalarAsync<long?>("SELECT replacement_fee_fen FROM case_contracts WHERE case_id = @id", new { id = record.Id }, cancellationToken)
            .ConfigureAwait(false) ?? 0;
}

/// <summary>The offer writes of one transition, planned before the case row is written and applied after.</summary>
public sealed class OfferPlan(CaseSession session, Guid caseId)
{
    private readonly List<Func<CancellationToken, Task>> _writes = [];

    public long? AgreedFeeFen { get; set; }
    public OfferRecord? Accepted { get; set; }
    public OfferRecord? Proposed { get; private set; }

    internal void Insert(OfferRecord offer)
    {
        Proposed = offer;
        _writes.Add(ct => session.ExecuteAsync("""
            INSERT INTO offers (id, case_id, kind, amount_fen, is_final, status, needs_approval, proposed_by, proposed_at, expires_at)
            VALUES (@Id, @CaseId, @Kind, @AmountFen, @IsFinal, @Status, @NeedsApproval, @ProposedBy, @ProposedAt, @ExpiresAt)
            """, offer, ct));
    }

    internal void Approve(Guid offerId, string approverId, DateTimeOffset? expiresAt) =>
        _writes.Add(ct => session.ExecuteAsync(
            "UPDATE offers SET status = 'open', approver_id = @approverId, expires_at = @expiresAt WHERE id = @offerId AND case_id = @caseId",
            new { offerId, caseId, approverId, expiresAt }, ct));

    internal void SetStatus(Guid offerId, string status, DateTimeOffset at, long? counterAmountFen = null) =>
        _writes.Add(ct => session.ExecuteAsync(
            "UPDATE offers SET status = @status, answered_at = @at, counter_amount_fen = COALESCE(@counterAmountFen, counter_amount_fen) WHERE id = @offerId AND case_id = @caseId",
            new { offerId, caseId, status, at, counterAmountFen }, ct));

    public async Task WriteAsync(CancellationToken cancellationToken)
    {
        foreach (var write in _writes) await write(cancellationToken).ConfigureAwait(false);
    }
}
