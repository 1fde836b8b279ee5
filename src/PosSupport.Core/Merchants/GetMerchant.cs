using FluentValidation;
using MediatR;
using PosSupport.Core.Cases;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Privacy;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Merchants;

/// <summary>A merchant's page for staff: who they are (phone masked), their devices, contract terms and latest cases.</summary>
public static class GetMerchant
{
    public const int DefaultRecentCases = 10;
    public const int MaxRecentCases = 50;

    public sealed record Query(Guid MerchantId, Caller Caller, int RecentCases = DefaultRecentCases) : IQuery<Result>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.MerchantId).NotEmpty();
            RuleFor(q => q.Caller).NotNull();
            RuleFor(q => q.RecentCases).InclusiveBetween(1, MaxRecentCases);
        }
    }

    /// <param name="Contract">The merchant's current contract terms; null when none is on file.</param>
    public sealed record Result(MerchantView Merchant, IReadOnlyList<DeviceView> Devices, ContractView? Contract, IReadOnlyList<CaseSummary> RecentCases);

    public sealed record MerchantView(
        Guid Id, string Name, string LicenceNumber, string Mcc, string Category, string MaskedPhone, string PreferredLanguage,
        long TrailingYearVolumeFen);

    public sealed class DeviceView
    {
        public Guid Id { get; set; }
        public string SerialNumber { get; set; } = "";
        public string Model { get; set; } = "";
        public string Status { get; set; } = "";
        public DateOnly? ActivatedOn { get; set; }
        public bool PhysicalDamage { get; set; }
    }

    public sealed record ContractView(Guid Id, DateOnly SignedOn, ContractTerms Terms);

    /// <summary>A case of the merchant, newest opened first. <paramref name="Outcome"/> is null while undecided.</summary>
    public sealed record CaseSummary(
        Guid Id, string Number, string Type, LocalizedText WorkflowTitle, string State, LocalizedText StateTitle, string StateKind,
        string? Outcome, DateTimeOffset OpenedAt, DateTimeOffset UpdatedAt);

    public sealed class Handler(CaseSession session, WorkflowCatalog catalog) : IRequestHandler<Query, Result>
    {
        private static readonly string Sql = $"""
            SELECT id AS Id, name AS Name, licence_number AS LicenceNumber, mcc AS Mcc, category AS Category, phone AS Phone,
                   preferred_language AS PreferredLanguage, trailing_year_volume_fen AS TrailingYearVolumeFen
              FROM merchants WHERE id = @merchantId;
            SELECT id AS Id, serial_number AS SerialNumber, model AS Model, status AS Status, activated_on AS ActivatedOn, physical_damage AS PhysicalDamage
              FROM devices WHERE merchant_id = @merchantId
             ORDER BY CASE WHEN activated_on IS NULL THEN 1 ELSE 0 END, activated_on DESC, serial_number;
            SELECT id AS ContractId, {ContractTerms.Columns} FROM contracts WHERE merchant_id = @merchantId;
            SELECT signed_on FROM contracts WHERE merchant_id = @merchantId;
            SELECT id AS Id, number AS Number, workflow_id AS WorkflowId, workflow_version AS WorkflowVersion, state AS State, state_kind AS StateKind,
                   outcome AS Outcome, opened_at AS OpenedAt, updated_at AS UpdatedAt
              FROM cases WHERE merchant_id = @merchantId ORDER BY opened_at DESC, id DESC LIMIT @recent;
            """;

        public async Task<Result> Handle(Query request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (!request.Caller.IsStaff) throw new ForbiddenException("Only agents and supervisors open a merchant's page.");

            await using var grid = await session.QueryMultipleAsync(Sql, new { merchantId = request.MerchantId, recent = request.RecentCases }, cancellationToken)
                .ConfigureAwait(false);
            var merchant = await grid.ReadSingleOrDefaultAsync<MerchantRow>().ConfigureAwait(false)
                ?? throw new NotFoundException("Merchant", request.MerchantId.ToString("D"));
            var devices = (await grid.ReadAsync<DeviceView>().ConfigureAwait(false)).ToList();
            var contract = await grid.ReadSingleOrDefaultAsync<ContractTerms>().ConfigureAwait(false);
            var signedOn = await grid.ReadSingleOrDefaultAsync<DateOnly>().ConfigureAwait(false);
            var cases = (await grid.ReadAsync<CaseRow>().ConfigureAwait(false)).Select(Summary).ToList();

            return new Result(
                new MerchantView(merchant.Id, merchant.Name, merchant.LicenceNumber, merchant.Mcc, merchant.Category, Masking.Phone(merchant.Phone),
                    merchant.PreferredLanguage, merchant.TrailingYearVolumeFen),
                devices,
                contract is null ? null : new ContractView(contract.ContractId, signedOn, contract),
                cases);
        }

        private CaseSummary Summary(CaseRow c)
        {
            var known = catalog.TryGet(c.WorkflowId, c.WorkflowVersion, out var workflow);
            return new CaseSummary(c.Id, c.Number, c.WorkflowId, known ? workflow.Title : new LocalizedText(c.WorkflowId, c.WorkflowId),
                c.State, known && workflow.TryGetState(c.State, out var state) ? state.Title : new LocalizedText(c.State, c.State), c.StateKind,
                c.Outcome, c.OpenedAt, c.UpdatedAt);
        }

        private sealed class MerchantRow
        {
            public Guid Id { get; set; }
            public string Name { get; set; } = "";
            public string LicenceNumber { get; set; } = "";
            public string Mcc { get; set; } = "";
            public string Category { get; set; } = "";
            public string Phone { get; set; } = "";
            public string PreferredLanguage { get; set; } = "";
            public long TrailingYearVolumeFen { get; set; }
        }

        private sealed class CaseRow
        {
            public Guid Id { get; set; }
            public string Number { get; set; } = "";
            public string WorkflowId { get; set; } = "";
            public int WorkflowVersion { get; set; }
            public string State { get; set; } = "";
            public string StateKind { get; set; } = "";
            public string? Outcome { get; set; }
            public DateTimeOffset OpenedAt { get; set; }
            public DateTimeOffset UpdatedAt { get; set; }
        }
    }
}
