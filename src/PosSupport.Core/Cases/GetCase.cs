using FluentValidation;
using MediatR;
using PosSupport.Core.Data;
using PosSupport.Core.FollowUps;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Privacy;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Cases;

/// <summary>Everything a case page needs, as the asking caller may see it; sensitive numbers masked.</summary>
public static class GetCase
{
    public sealed record Query(Guid CaseId, Caller Caller) : IQuery<Result>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.CaseId).NotEmpty();
            RuleFor(q => q.Caller).NotNull();
        }
    }

    public sealed record Result(
        CaseRecord Case,
        LocalizedText WorkflowTitle,
        LocalizedText StateTitle,
        LocalizedText? OutcomeTitle,
        MerchantView Merchant,
        DeviceView? Device,
        ContractTerms? Contract,
        IReadOnlyList<EvidenceView> Evidence,
        IReadOnlyList<OfferRecord> Offers,
        IReadOnlyList<AllowedAction> AllowedActions,
        IReadOnlyList<FollowUpView> PendingFollowUps,
        IReadOnlyList<SlaView> Sla);

    public sealed record MerchantView(Guid Id, string Name, string Category, string MaskedPhone, string PreferredLanguage);

    public sealed record DeviceView(Guid Id, string SerialNumber, string Model, string Status, DateOnly? ActivatedOn);

    public sealed class EvidenceView
    {
        public Guid Id { get; set; }
        public string Type { get; set; } = "";
        public string Status { get; set; } = "";
        public string? FileName { get; set; }
        public string? MediaType { get; set; }
        public long? SizeBytes { get; set; }
        public DateTimeOffset RequestedAt { get; set; }
        public DateTimeOffset? SubmittedAt { get; set; }
        public string? Reason { get; set; }
        public bool RequiredNow { get; set; }
    }

    public sealed record FollowUpView(Guid Id, string Kind, string? Template, string? Trigger, DateTimeOffset DueAt, int RepeatsLeft);

    public sealed class Handler(CaseStore store, CaseSession session, WorkflowEngine engine, PosSupportOptions options, BusinessCalendar calendar,
        TimeProvider clock) : IRequestHandler<Query, Result>
    {
        public async Task<Result> Handle(Query request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            var record = await store.LoadVisibleAsync(request.CaseId, request.Caller, cancellationToken).ConfigureAwait(false);
            var workflow = engine.Catalog.Get(record.WorkflowId, record.WorkflowVersion);
            var state = workflow.State(record.State);

            var sql = $"""
                SELECT id AS Id, name AS Name, category AS Category, phone AS Phone, preferred_language AS PreferredLanguage FROM merchants WHERE id = @merchantId;
                SELECT id AS Id, serial_number AS SerialNumber, model AS Model, status AS Status, activated_on AS ActivatedOn FROM devices WHERE id = @deviceId;
                SELECT contract_id AS ContractId, {ContractTerms.Columns} FROM case_contracts WHERE case_id = @caseId;
                SELECT id AS Id, type AS Type, status AS Status, file_name AS FileName, media_type AS MediaType, size_bytes AS SizeBytes,
                       requested_at AS RequestedAt, submitted_at AS SubmittedAt, reason AS Reason
                  FROM evidence_items WHERE case_id = @caseId ORDER BY requested_at, id;
                SELECT {OfferRecord.Columns} FROM offers WHERE case_id = @caseId ORDER BY proposed_at DESC;
                SELECT id AS Id, kind AS Kind, template AS Template, trigger_name AS TriggerName, due_at AS DueAt, repeats_left AS RepeatsLeft
                  FROM follow_ups WHERE case_id = @caseId AND status = 'pending' ORDER BY due_at;
                """;
            await using var grid = await session.QueryMultipleAsync(sql,
                new { caseId = record.Id, merchantId = record.MerchantId, deviceId = record.DeviceId ?? Guid.Empty }, cancellationToken).ConfigureAwait(false);
            var merchant = await grid.ReadSingleAsync<MerchantRow>().ConfigureAwait(false);
            var device = await grid.ReadSingleOrDefaultAsync<DeviceView>().ConfigureAwait(false);
            var contract = await grid.ReadSingleOrDefaultAsync<ContractTerms>().ConfigureAwait(false);
            var evidence = (await grid.ReadAsync<EvidenceView>().ConfigureAwait(false)).ToList();
            var offers = (await grid.ReadAsync<OfferRecord>().ConfigureAwait(false)).ToList();
            var followUps = (await grid.ReadAsync<FollowUpRow>().ConfigureAwait(false))
                .Select(f => new FollowUpView(f.Id, f.Kind, f.Template, f.TriggerName, f.DueAt, f.RepeatsLeft)).ToList();
            foreach (var item in evidence) item.RequiredNow = state.RequiresEvidence.Contains(item.Type, StringComparer.Ordinal);

            var snapshot = await store.SnapshotAsync(record, options.AgentOfferAuthorityFen, cancellationToken).ConfigureAwait(false);
            var actions = engine.AllowedActions(snapshot, request.Caller.Actor);
            var isChannel = request.Caller.Actor == Actor.Customer;
            // SLA clocks are for staff; recomputed from the event log on every read.
            var sla = isChannel ? [] : CaseSla.Compute(record, workflow,
                await CaseSla.ReadEventsAsync(session, record.Id, cancellationToken).ConfigureAwait(false), calendar, clock.GetUtcNow());

            return new Result(
                record, workflow.Title, state.Title,
                record.Outcome is { } outcome && workflow.Outcomes.TryGetValue(outcome, out var outcomeTitle) ? outcomeTitle : null,
                new MerchantView(merchant.Id, merchant.Name, merchant.Category, Masking.Phone(merchant.Phone), merchant.PreferredLanguage),
                device, isChannel ? null : contract, evidence,
                isChannel ? offers.Where(o => o.Status != "awaiting-approval").ToList() : offers,
                actions, isChannel ? [] : followUps, sla);
        }

        private sealed class MerchantRow
        {
            public Guid Id { get; set; }
            public string Name { get; set; } = "";
            public string Category { get; set; } = "";
            public string Phone { get; set; } = "";
            public string PreferredLanguage { get; set; } = "";
        }

        private sealed class FollowUpRow
        {
            public Guid Id { get; set; }
            public string Kind { get; set; } = "";
            public string? Template { get; set; }
            public string? TriggerName { get; set; }
            public DateTimeOffset DueAt { get; set; }
            public int RepeatsLeft { get; set; }
        }
    }
}
