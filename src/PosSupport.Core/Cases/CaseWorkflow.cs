using PosSupport.Core.Data;
using PosSupport.Core.FollowUps;
using PosSupport.Core.Negotiation;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Cases;

/// <summary>
/// Runs the workflow engine against stored cases: opens cases in their workflow's initial state and fires
/// triggers, then carries out the engine's effects (timeline, checklist, outbox, follow-up rows, contract
/// snapshot, offers, linked cases) inside the request's transaction. The one place case state changes.
/// </summary>
public sealed class CaseWorkflow(
    CaseStore store, WorkflowEngine engine, OfferBook offers, MessageRenderer renderer, Assignment assignment,
    PosSupportOptions options, BusinessCalendar calendar, TimeProvider clock, Metrics.PosSupportMetrics metrics)
{
    private CaseSession Session => store.Session;

    public async Task<CaseRecord> OpenAsync(NewCase spec, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(caller);
        var now = clock.GetUtcNow();
        var start = engine.Start(spec.WorkflowId, now);
        var initial = start.Workflow.State(start.State);
        var record = new CaseRecord
        {
            Id = spec.Id ?? Guid.CreateVersion7(now), Number = await NextNumberAsync(start.Workflow.CaseNumberPrefix, now, cancellationToken).ConfigureAwait(false),
            WorkflowId = start.Workflow.Id, WorkflowVersion = start.Workflow.Version, State = initial.Name, StateKind = WorkflowSpelling.Of(initial.Kind),
            Priority = WorkflowSpelling.Of(spec.Priority), MerchantId = spec.MerchantId, DeviceId = spec.DeviceId,
            ChannelClientId = spec.ChannelClientId ?? caller.ChannelClientId, ConversationId = spec.ConversationId, Description = spec.Description,
            ClaimAmountFen = spec.ClaimAmountFen, ClaimChargedOn = spec.ClaimChargedOn, ClaimChargedRateBp = spec.ClaimChargedRateBp,
            LinkedCaseId = spec.LinkedCaseId, PreviousCaseId = spec.PreviousCaseId, Version = 1, OpenedAt = now, UpdatedAt = now,
        };
        record.AssigneeId = options.AutoAssign ? await assignment.NextAgentAsync(start.Workflow.Id, cancellationToken).ConfigureAwait(false) : null;

        await Session.ExecuteAsync("""
            INSERT INTO cases (id, number, workflow_id, workflow_version, state, state_kind, priority, merchant_id, device_id, assignee_id,
                               channel_client_id, conversation_id, description, claim_amount_fen, claim_charged_on, claim_charged_rate_bp,
                               linked_case_id, previous_case_id, version, opened_at, updated_at)
            VALUES (@Id, @Number, @WorkflowId, @WorkflowVersion, @State, @StateKind, @Priority, @MerchantId, @DeviceId, @AssigneeId,
                    @ChannelClientId, @ConversationId, @Description, @ClaimAmountFen, @ClaimChargedOn, @ClaimChargedRateBp,
                    @LinkedCaseId, @PreviousCaseId, @Version, @OpenedAt, @UpdatedAt)
            """, record, cancellationToken).ConfigureAwait(false);
        await store.AppendEventAsync(record.Id, "opened", caller, merchantVisible: true, new
        {
            number = record.Number, workflow = record.WorkflowId, version = record.WorkflowVersion, state = record.State,
            priority = record.Priority, assignee = record.AssigneeId, linkedCase = record.LinkedCaseId, previousCase = record.PreviousCaseId,
        }, cancellationToken).ConfigureAwait(false);

        await ScheduleCaseSlaAsync(record, start.Workflow, now, cancellationToken).ConfigureAwait(false);
        var lookup = await ExecuteAsync(record, caller, start.Workflow, start.Effects, null, cancellationToken).ConfigureAwait(false);
        await AfterLookupAsync(record, lookup, cancellationToken).ConfigureAwait(false);
        Session.PublishAfterCommit(CaseChanged.Of(record));
        return record;
    }

    /// <summary>Fires <paramref name="trigger"/> on the case; throws <see cref="TransitionNotAllowedException"/> with the reasons when the workflow says no.</summary>
    public Task<FireResult> FireAsync(CaseRecord record, Caller caller, string trigger, IReadOnlyDictionary<string, string> inputs,
        long? expectedVersion, CancellationToken cancellationToken) =>
        FireAsync(record, caller, trigger, inputs, expectedVersion, read: null, cancellationToken);

    /// <summary>
    /// As <see cref="FireAsync(CaseRecord, Caller, string, IReadOnlyDictionary{string, string}, long?, CancellationToken)"/>,
    /// with the snapshot the caller read to decide to fire (<see cref="CaseStore.ReadSnapshotAsync"/>), when nothing of the
    /// case was written since: the guards and the offer changes start from it instead of reading it all again.
    /// </summary>
    internal async Task<FireResult> FireAsync(CaseRecord record, Caller caller, string trigger, IReadOnlyDictionary<string, string> inputs,
        long? expectedVersion, SnapshotRead? read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(caller);
        if (expectedVersion is { } expected && expected != record.Version)
            throw new ConcurrencyConflictException(record.Id, expected, record.Version);
        if (read is not null && (read.Snapshot.Version != record.Version || read.Snapshot.State != record.State))
            throw new InvalidOperationException($"The snapshot of case {record.Id} was read at version {read.Snapshot.Version}; the case is at {record.Version}.");

        read ??= await store.ReadSnapshotAsync(record, options.AgentOfferAuthorityFen, cancellationToken).ConfigureAwait(false);
        var result = engine.Fire(read.Snapshot, caller.Actor, trigger, inputs);
        if (!result.Succeeded) throw new TransitionNotAllowedException(trigger, result.Reasons);

        var transition = result.Transition!;
        var workflow = engine.Catalog.Get(record.WorkflowId, record.WorkflowVersion);
        var from = record.State;
        var loadedVersion = record.Version;
        var plan = await offers.PlanAsync(record, caller, transition, inputs, result.Effects, read.CurrentOffer, cancellationToken).ConfigureAwait(false);

        // This change's instant: resolved_at and closed_at are stamped from it (not from the case's previous change).
        record.UpdatedAt = clock.GetUtcNow();
        Apply(record, result.Effects);
        if (plan.AgreedFeeFen is { } fee) record.AgreedFeeFen = fee;
        if (inputs.TryGetValue("trackingNumber", out var tracking)) record.TrackingNumber = tracking;
        if (inputs.TryGetValue("replacementSerial", out var serial)) record.ReplacementSerial = serial;
        // Entering the state `escalate` leads to (by escalate, a rejected final offer, an overdue delivery...) is tier 1 at least.
        // A supervisor's approval queue is not an escalation.
        if (record.State != from && record.State == EscalatedState(workflow)) record.EscalationTier = Math.Max(record.EscalationTier, 1);

        await store.MoveAsync(record, loadedVersion, cancellationToken).ConfigureAwait(false);
        var (workflowId, to) = (record.WorkflowId, record.State);
        Session.AfterCommit(() => metrics.TransitionMade(workflowId, from, to, trigger));
        await store.AppendEventAsync(record.Id, "transition", caller, merchantVisible: true, new
        {
            from, to = record.State, trigger, title = transition.Title, outcome = transition.Outcome, inputs,
        }, cancellationToken).ConfigureAwait(false);
        await plan.WriteAsync(cancellationToken).ConfigureAwait(false);
        if (plan.Proposed is { } proposed)
            await store.AppendEventAsync(record.Id, "offer-proposed", caller, merchantVisible: !proposed.NeedsApproval,
                new { offer = proposed.Id, proposed.Kind, proposed.AmountFen, proposed.IsFinal, proposed.Status, proposed.ExpiresAt }, cancellationToken).ConfigureAwait(false);

        var lookup = await ExecuteAsync(record, caller, workflow, result.Effects, new EffectContext(plan, inputs), cancellationToken).ConfigureAwait(false);
        Session.PublishAfterCommit(CaseChanged.Of(record));
        await AfterLookupAsync(record, lookup, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Carries out effects the engine gave outside a transition (a case moved to another workflow version), for the
    /// case's workflow and state as <paramref name="record"/> now holds them. Write the case row first.
    /// </summary>
    public async Task ExecuteEffectsAsync(CaseRecord record, Caller caller, IReadOnlyList<WorkflowEffect> effects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await ExecuteAsync(record, caller, engine.Catalog.Get(record.WorkflowId, record.WorkflowVersion), effects, null, cancellationToken).ConfigureAwait(false);
        Session.PublishAfterCommit(CaseChanged.Of(record));
    }

    private static void Apply(CaseRecord record, IReadOnlyList<WorkflowEffect> effects)
    {
        foreach (var effect in effects)
            switch (effect)
            {
                case OutcomeSet set: record.Outcome = set.Outcome; break;
                case OutcomeCleared: record.Outcome = null; record.ResolvedAt = null; break;
                case StateEntered entered:
                    record.State = entered.State;
                    record.StateKind = WorkflowSpelling.Of(entered.Kind);
                    if (entered.Kind == StateKind.Resolved) record.ResolvedAt ??= record.UpdatedAt;
                    if (entered.Kind == StateKind.Final) record.ClosedAt = record.UpdatedAt;
                    break;
            }
    }

    /// <summary>The state the workflow's shared <c>escalate</c> transition leads to, if it has one.</summary>
    public static string? EscalatedState(WorkflowDefinition workflow)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        return workflow.SharedTransitions.FirstOrDefault(s => s.Transition.Trigger == "escalate")?.Transition.To;
    }

    private sealed record EffectContext(OfferPlan Offers, IReadOnlyDictionary<string, string> Inputs);

    /// <summary>Carries out the effects; returns whether a contract lookup ran and found one (null: no lookup).</summary>
    private async Task<bool?> ExecuteAsync(CaseRecord record, Caller caller, WorkflowDefinition workflow, IReadOnlyList<WorkflowEffect> effects,
        EffectContext? context, CancellationToken cancellationToken)
    {
        bool? lookup = null;
        long? refundedFen = null;
        // A state that requires evidence asks for it on entry; an "evidence.request" effect in its onEntry asks for the same
        // types again, which would only find them requested already (three statements for nothing on every case opened).
        var evidenceRequested = false;
        var armed = new List<Guid>();
        var now = clock.GetUtcNow();
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case FollowUpsCancelled cancelled:
                    var ids = (await Session.QueryAsync<Guid>(CancelPendingSql, new { id = record.Id, state = cancelled.State }, cancellationToken)
                        .ConfigureAwait(false)).ToList();
                    if (ids.Count > 0) Session.PublishAfterCommit(new FollowUpsDisarmed(ids));
                    break;
                case FollowUpScheduled scheduled:
                    var followUpId = Guid.CreateVersion7(now);
                    await Session.ExecuteAsync("""
                        INSERT INTO follow_ups (id, case_id, state, follow_up_key, kind, template, trigger_name, due_at, repeats_left, every_seconds, status, created_at)
                        VALUES (@followUpId, @caseId, @state, @key, @kind, @template, @trigger, @due, @repeats, @every, 'pending', @now)
                        """, new
                    {
                        followUpId, caseId = record.Id, state = scheduled.State, key = scheduled.FollowUp.Key,
                        kind = scheduled.FollowUp.Fire is null ? "remind" : "fire", template = scheduled.FollowUp.Remind, trigger = scheduled.FollowUp.Fire,
                        due = scheduled.DueAt, repeats = scheduled.FollowUp.Repeat, every = (long?)scheduled.FollowUp.Every?.TotalSeconds, now,
                    }, cancellationToken).ConfigureAwait(false);
                    armed.Add(followUpId);
                    break;
                case StateEntered entered:
                    await OnStateEnteredAsync(record, workflow, entered, now, armed, cancellationToken).ConfigureAwait(false);
                    break;
                case OutcomeCleared:
                    // Reopened: the resolution clock runs again. The rows are due now and work out their own due times.
                    if (await Session.ExecuteScalarAsync<long>(
                            "SELECT COUNT(*) FROM follow_ups WHERE case_id = @id AND state = @scope AND follow_up_key = @key AND status = 'pending'",
                            new { id = record.Id, scope = CaseSla.CaseScope, key = CaseSla.ResolutionKey }, cancellationToken).ConfigureAwait(false) == 0)
                    {
                        armed.Add(await InsertSlaRowAsync(record.Id, CaseSla.CaseScope, CaseSla.ResolutionKey, "sla-warning", now, now, cancellationToken).ConfigureAwait(false));
                        armed.Add(await InsertSlaRowAsync(record.Id, CaseSla.CaseScope, CaseSla.ResolutionKey, "sla-breach", now, now, cancellationToken).ConfigureAwait(false));
                    }
                    break;
                case EvidenceRequested requested:
                    await RequestEvidenceAsync(record, caller, requested.Types, cancellationToken).ConfigureAwait(false);
                    evidenceRequested = true;
                    break;
                case MessageRequested message:
                    await QueueMessageAsync(record, caller, workflow, message.To == Recipient.Merchant ? "merchant" : "assignee", message.Template, refundedFen,
                        cancellationToken).ConfigureAwait(false);
                    break;
                case ActionRequested { Name: "contract.lookup" }:
                    lookup = await CaptureContractAsync(record, caller, cancellationToken).ConfigureAwait(false);
                    break;
                case ActionRequested { Name: "evidence.request" }:
                    if (!evidenceRequested)
                        await RequestEvidenceAsync(record, caller, workflow.State(record.State).RequiresEvidence, cancellationToken).ConfigureAwait(false);
                    break;
                case ActionRequested { Name: "refund.instruct" }:
                    refundedFen = await InstructRefundAsync(record, caller, context, cancellationToken).ConfigureAwait(false);
                    break;
                case ActionRequested { Name: "device.bind-replacement" }:
                    await BindReplacementAsync(record, caller, cancellationToken).ConfigureAwait(false);
                    break;
                case ActionRequested { Name: "case.open-device-replacement" }:
                    await OpenLinkedDeviceCaseAsync(record, caller, await DeviceToReplaceAsync(record, cancellationToken).ConfigureAwait(false), Priority.Normal,
                        $"由工单{record.Number}转入：商户要求更换机具。Opened from {record.Number}: the merchant asked to switch terminals.", cancellationToken).ConfigureAwait(false);
                    break;
                case ActionRequested action:
                    await store.AppendEventAsync(record.Id, action.Name, caller, merchantVisible: false,
                        new { effect = action.Name, title = EffectCatalog.All[action.Name].Title }, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        if (armed.Count > 0) Session.PublishAfterCommit(new FollowUpsArmed(armed));
        return lookup;
    }

    /// <summary>Arms the first-response and resolution clocks of a new case: a warning and a breach follow-up each.</summary>
    private async Task ScheduleCaseSlaAsync(CaseRecord record, WorkflowDefinition workflow, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var priority = WorkflowSpelling.ParsePriority(record.Priority);
        var armed = new List<Guid>(4);
        foreach (var (key, target) in new[] { (CaseSla.FirstResponseKey, workflow.Sla.FirstResponse[priority]), (CaseSla.ResolutionKey, workflow.Sla.Resolution[priority]) })
        {
            var status = SlaClock.Compute(calendar, calendar.WorkingTime(target), workflow.Sla.WarnAtFraction, now, [], null, now);
            armed.Add(await InsertSlaRowAsync(record.Id, CaseSla.CaseScope, key, "sla-warning", status.WarnAt, now, cancellationToken).ConfigureAwait(false));
            armed.Add(await InsertSlaRowAsync(record.Id, CaseSla.CaseScope, key, "sla-breach", status.Due, now, cancellationToken).ConfigureAwait(false));
        }
        Session.PublishAfterCommit(new FollowUpsArmed(armed));
    }

    /// <summary>Cancels a case's pending follow-ups of one state (or clock scope): a range of ix_follow_ups_pending_case.</summary>
    internal const string CancelPendingSql =
        "UPDATE follow_ups SET status = 'cancelled' WHERE case_id = @id AND state = @state AND status = 'pending' RETURNING id";

    private async Task OnStateEnteredAsync(CaseRecord record, WorkflowDefinition workflow, StateEntered entered, DateTimeOffset now, List<Guid> armed,
        CancellationToken cancellationToken)
    {
        if (entered.Kind is StateKind.Resolved or StateKind.Final)
        {
            // Resolved: the case's clocks have stopped (met, or breached already); a reopen arms resolution again.
            var stopped = (await Session.QueryAsync<Guid>(CancelPendingSql, new { id = record.Id, state = CaseSla.CaseScope }, cancellationToken)
                .ConfigureAwait(false)).ToList();
            if (stopped.Count > 0) Session.PublishAfterCommit(new FollowUpsDisarmed(stopped));
        }
        var state = workflow.State(entered.State);
        if (state.Sla is not { } targets || !targets.TryGetValue(WorkflowSpelling.ParsePriority(record.Priority), out var target)) return;
        var status = SlaClock.Compute(calendar, calendar.WorkingTime(target), workflow.Sla.WarnAtFraction, now, [], null, now);
        armed.Add(await InsertSlaRowAsync(record.Id, state.Name, CaseSla.StateKey, "sla-warning", status.WarnAt, now, cancellationToken).ConfigureAwait(false));
        armed.Add(await InsertSlaRowAsync(record.Id, state.Name, CaseSla.StateKey, "sla-breach", status.Due, now, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Arms the SLA clock of the state the case is in now, if that state has one for the case's priority: a warning and a
    /// breach row, due at once. When they run they work out their real due times from the timeline (as after a reopen),
    /// so a state kept under the same name keeps its clock, and a clock that already warned does not warn again. For a
    /// case moved to another workflow version, whose old state's rows were cancelled.
    /// </summary>
    public async Task ArmStateSlaAsync(CaseRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var state = engine.Catalog.Get(record.WorkflowId, record.WorkflowVersion).State(record.State);
        if (state.Sla is not { } targets || !targets.ContainsKey(WorkflowSpelling.ParsePriority(record.Priority))) return;
        var now = clock.GetUtcNow();
        Session.PublishAfterCommit(new FollowUpsArmed(
        [
            await InsertSlaRowAsync(record.Id, state.Name, CaseSla.StateKey, "sla-warning", now, now, cancellationToken).ConfigureAwait(false),
            await InsertSlaRowAsync(record.Id, state.Name, CaseSla.StateKey, "sla-breach", now, now, cancellationToken).ConfigureAwait(false),
        ]));
    }

    private async Task<Guid> InsertSlaRowAsync(Guid caseId, string scope, string key, string kind, DateTimeOffset due, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7(now);
        await Session.ExecuteAsync("""
            INSERT INTO follow_ups (id, case_id, state, follow_up_key, kind, due_at, repeats_left, status, created_at)
            VALUES (@id, @caseId, @scope, @key, @kind, @due, 0, 'pending', @now)
            """, new { id, caseId, scope, key, kind, due, now }, cancellationToken).ConfigureAwait(false);
        return id;
    }

    /// <summary>
    /// Tells staff about the case (an SLA at risk): its assignee, or the supervisors when nobody has it. Staff read
    /// Chinese first; the timeline entry that goes with it carries both languages.
    /// </summary>
    public async Task NotifyStaffAsync(CaseRecord record, Caller caller, LocalizedText text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(text);
        var recipient = record.AssigneeId is null ? "supervisors" : "assignee";
        await Session.ExecuteAsync("""
            INSERT INTO outbox_messages (id, case_id, recipient, template, language, body, status, created_at)
            VALUES (@id, @caseId, @recipient, 'sla-warning', 'zh-CN', @body, 'pending', @now)
            """, new { id = Guid.CreateVersion7(), caseId = record.Id, recipient, body = text.ZhCn, now = clock.GetUtcNow() }, cancellationToken)
            .ConfigureAwait(false);
        await store.AppendEventAsync(record.Id, "message-queued", caller, merchantVisible: false,
            new { recipient, template = "sla-warning", language = "zh-CN", body = text.ZhCn, title = text }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends the merchant a reminder from the workflow's template (a follow-up came due).</summary>
    public Task RemindAsync(CaseRecord record, Caller caller, string template, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return QueueMessageAsync(record, caller, engine.Catalog.Get(record.WorkflowId, record.WorkflowVersion), "merchant", template, null, cancellationToken);
    }

    // The lookup's result moves the case on by itself when the state says how (contract-found / contract-missing).
    private async Task AfterLookupAsync(CaseRecord record, bool? found, CancellationToken cancellationToken)
    {
        if (found is not { } wasFound) return;
        var trigger = wasFound ? "contract-found" : "contract-missing";
        var workflow = engine.Catalog.Get(record.WorkflowId, record.WorkflowVersion);
        if (!workflow.State(record.State).Transitions.Any(t => t.Trigger == trigger && t.AllowsActor(Actor.System))) return;
        await FireAsync(record, Caller.System("contract.lookup"), trigger, EmptyInputs, null, cancellationToken).ConfigureAwait(false);
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyInputs = new Dictionary<string, string>();

    private async Task RequestEvidenceAsync(CaseRecord record, Caller caller, IReadOnlyList<string> types, CancellationToken cancellationToken)
    {
        var requested = new List<string>();
        foreach (var type in types)
        {
            var inserted = await Session.ExecuteAsync("""
                INSERT INTO evidence_items (id, case_id, type, status, requested_at)
                SELECT @id, @caseId, @type, 'requested', @now
                 WHERE NOT EXISTS (SELECT 1 FROM evidence_items WHERE case_id = @caseId AND type = @type AND status IN ('requested', 'received', 'accepted'))
                """, new { id = Guid.CreateVersion7(), caseId = record.Id, type, now = clock.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
            if (inserted > 0) requested.Add(type);
        }
        if (requested.Count > 0)
            await store.AppendEventAsync(record.Id, "evidence-requested", caller, merchantVisible: true, new { types = requested }, cancellationToken)
                .ConfigureAwait(false);
    }

    private async Task QueueMessageAsync(CaseRecord record, Caller caller, WorkflowDefinition workflow, string recipient, string template, long? amountFen,
        CancellationToken cancellationToken)
    {
        var language = recipient == "merchant"
            ? await Session.ExecuteScalarAsync<string>("SELECT preferred_language FROM merchants WHERE id = @id", new { id = record.MerchantId }, cancellationToken)
                .ConfigureAwait(false) ?? "zh-CN"
            : "zh-CN";
        var body = await renderer.RenderAsync(workflow.Messages[template], language, record, workflow, amountFen, cancellationToken).ConfigureAwait(false);
        await Session.ExecuteAsync("""
            INSERT INTO outbox_messages (id, case_id, recipient, template, language, body, status, created_at)
            VALUES (@id, @caseId, @recipient, @template, @language, @body, 'pending', @now)
            """, new { id = Guid.CreateVersion7(), caseId = record.Id, recipient, template, language, body, now = clock.GetUtcNow() }, cancellationToken)
            .ConfigureAwait(false);
        await store.AppendEventAsync(record.Id, "message-queued", caller, merchantVisible: recipient == "merchant",
            new { recipient, template, language, body }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> CaptureContractAsync(CaseRecord record, Caller caller, CancellationToken cancellationToken)
    {
        var contractId = await Session.ExecuteScalarAsync<Guid?>("SELECT id FROM contracts WHERE merchant_id = @id", new { id = record.MerchantId }, cancellationToken)
            .ConfigureAwait(false);
        if (contractId is null)
        {
            await store.AppendEventAsync(record.Id, "contract-missing", caller, merchantVisible: false, new { merchant = record.MerchantId }, cancellationToken)
                .ConfigureAwait(false);
            return false;
        }
        await Session.ExecuteAsync("DELETE FROM case_contracts WHERE case_id = @caseId", new { caseId = record.Id }, cancellationToken).ConfigureAwait(false);
        await Session.ExecuteAsync("""
            INSERT INTO case_contracts (case_id, contract_id, captured_at, fee_rate_bp, data_fee_clause, data_fee_amount_fen, data_fee_period_months,
                                        data_fee_free_days, data_fee_waiver_volume_fen, refund_window_days, fee_notice_clause, fee_notice_given,
                                        warranty_months, deposit_fen, deposit_paid, replacement_fee_fen, device_leased)
            SELECT @caseId, id, @now, fee_rate_bp, data_fee_clause, data_fee_amount_fen, data_fee_period_months,
                   data_fee_free_days, data_fee_waiver_volume_fen, refund_window_days, fee_notice_clause, fee_notice_given,
                   warranty_months, deposit_fen, deposit_paid, replacement_fee_fen, device_leased
              FROM contracts WHERE id = @contractId
            """, new { caseId = record.Id, contractId, now = clock.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
        await store.AppendEventAsync(record.Id, "contract-captured", caller, merchantVisible: false, new { contract = contractId }, cancellationToken)
            .ConfigureAwait(false);
        return true;
    }

    private async Task<long> InstructRefundAsync(CaseRecord record, Caller caller, EffectContext? context, CancellationToken cancellationToken)
    {
        // Refund what was agreed: the accepted offer (accepting one only leads here when it is a refund of some kind, such as
        // full-refund, partial-refund or refund-difference), a supervisor's decided amount, else the whole amount charged.
        var amount = context?.Offers.Accepted is { } accepted ? accepted.AmountFen
            : context is not null && context.Inputs.ContainsKey("amount") && context.Offers.Proposed is null ? InputValues.Money(context.Inputs, "amount")
            : record.ClaimAmountFen ?? 0;
        var body = $"Refund {MessageRenderer.Money(amount, "en")} to the merchant of case {record.Number}.";
        await Session.ExecuteAsync("""
            INSERT INTO outbox_messages (id, case_id, recipient, template, language, body, status, created_at)
            VALUES (@id, @caseId, 'finance', 'refund-instruction', 'en', @body, 'pending', @now)
            """, new { id = Guid.CreateVersion7(), caseId = record.Id, body, now = clock.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
        await store.AppendEventAsync(record.Id, "refund-instructed", caller, merchantVisible: true, new { amountFen = amount }, cancellationToken)
            .ConfigureAwait(false);
        return amount;
    }

    private async Task BindReplacementAsync(CaseRecord record, Caller caller, CancellationToken cancellationToken)
    {
        if (record.ReplacementSerial is not { } serial)
        {
            await store.AppendEventAsync(record.Id, "replacement-serial-missing", caller, merchantVisible: false, new { }, cancellationToken).ConfigureAwait(false);
            return;
        }
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var model = record.DeviceId is null ? "smart" : await Session.ExecuteScalarAsync<string>("SELECT model FROM devices WHERE id = @id",
            new { id = record.DeviceId }, cancellationToken).ConfigureAwait(false) ?? "smart";
        var updated = await Session.ExecuteAsync(
            "UPDATE devices SET merchant_id = @merchant, status = 'active', activated_on = @today, physical_damage = FALSE WHERE serial_number = @serial",
            new { merchant = record.MerchantId, today, serial }, cancellationToken).ConfigureAwait(false);
        if (updated == 0)
            await Session.ExecuteAsync("""
                INSERT INTO devices (id, serial_number, model, status, activated_on, merchant_id, physical_damage)
                VALUES (@id, @serial, @model, 'active', @today, @merchant, FALSE)
                """, new { id = Guid.CreateVersion7(), serial, model, today, merchant = record.MerchantId }, cancellationToken).ConfigureAwait(false);
        if (record.DeviceId is { } old)
            await Session.ExecuteAsync("UPDATE devices SET status = 'faulty' WHERE id = @old", new { old }, cancellationToken).ConfigureAwait(false);
        await store.AppendEventAsync(record.Id, "replacement-bound", caller, merchantVisible: true, new { serial }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Opens a device-replacement case for the merchant of <paramref name="source"/> and links the two both ways, with a
    /// timeline event on each. The source row must already be written in this transaction (moved or bumped): the link is
    /// recorded at that version. The new case speaks to the merchant through the source's channel and conversation.
    /// </summary>
    public async Task<CaseRecord> OpenLinkedDeviceCaseAsync(CaseRecord source, Caller caller, Guid? deviceId, Priority priority, string description,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(caller);
        // The new row references the source, so it goes first; the source then references it.
        var opened = await OpenAsync(new NewCase("device-replacement", source.MerchantId, deviceId, priority, description, source.ConversationId,
            LinkedCaseId: source.Id) { ChannelClientId = source.ChannelClientId }, caller, cancellationToken).ConfigureAwait(false);
        if (await Session.ExecuteAsync("UPDATE cases SET linked_case_id = @linked WHERE id = @id AND version = @version",
                new { linked = opened.Id, id = source.Id, version = source.Version }, cancellationToken).ConfigureAwait(false) != 1)
            throw new ConcurrencyConflictException(source.Id, source.Version, await CurrentVersionAsync(source.Id, cancellationToken).ConfigureAwait(false));
        source.LinkedCaseId = opened.Id;
        await store.AppendEventAsync(opened.Id, "linked-from-case", caller, merchantVisible: true, new
        {
            linkedCase = source.Id, number = source.Number, title = new LocalizedText($"Opened from case {source.Number}", $"由工单{source.Number}转入"),
        }, cancellationToken).ConfigureAwait(false);
        await store.AppendEventAsync(source.Id, "linked-case-opened", caller, merchantVisible: true, new
        {
            linkedCase = opened.Id, number = opened.Number, title = new LocalizedText($"Device case {opened.Number} opened", $"已新建换机工单{opened.Number}"),
        }, cancellationToken).ConfigureAwait(false);
        return opened;
    }

    /// <summary>The device a linked device case is about: the source case's, else the merchant's only active device (null when there is none or several).</summary>
    public async Task<Guid?> DeviceToReplaceAsync(CaseRecord source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.DeviceId is { } device) return device;
        var active = (await Session.QueryAsync<Guid>("SELECT id FROM devices WHERE merchant_id = @merchant AND status = 'active'",
            new { merchant = source.MerchantId }, cancellationToken).ConfigureAwait(false)).ToList();
        return active.Count == 1 ? active[0] : null;
    }

    private async Task<long> CurrentVersionAsync(Guid caseId, CancellationToken cancellationToken) =>
        await Session.ExecuteScalarAsync<long?>("SELECT version FROM cases WHERE id = @caseId", new { caseId }, cancellationToken).ConfigureAwait(false)
        ?? throw new NotFoundException("Case", caseId.ToString("D"));

    private async Task<string> NextNumberAsync(string prefix, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var year = TimeZoneInfo.ConvertTime(now, Shanghai).Year;
        var last = await Session.ExecuteScalarAsync<long>("""
            INSERT INTO case_number_counters (prefix, year, last) VALUES (@prefix, @year, 1)
            ON CONFLICT (prefix, year) DO UPDATE SET last = case_number_counters.last + 1
            RETURNING last
            """, new { prefix, year }, cancellationToken).ConfigureAwait(false);
        return FormattableString.Invariant($"{prefix}-{year}-{last:000000}");
    }

    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
}

/// <summary>What a new case starts from.</summary>
public sealed record NewCase(
    string WorkflowId,
    Guid MerchantId,
    Guid? DeviceId,
    Priority Priority,
    string Description,
    string? ConversationId = null,
    long? ClaimAmountFen = null,
    DateOnly? ClaimChargedOn = null,
    int? ClaimChargedRateBp = null,
    Guid? LinkedCaseId = null)
{
    public Guid? Id { get; init; }

    /// <summary>The channel the case belongs to when it is not the caller's (a linked case stays with the merchant's channel).</summary>
    public Guid? ChannelClientId { get; init; }

    /// <summary>The earlier case of the same conversation that this one continues.</summary>
    public Guid? PreviousCaseId { get; init; }
}
