namespace PosSupport.Core.Cases;

/// <summary>A row of <c>cases</c>, as every slice reads it.</summary>
public sealed class CaseRecord
{
    public Guid Id { get; set; }
    public string Number { get; set; } = "";
    public string WorkflowId { get; set; } = "";
    public int WorkflowVersion { get; set; }
    public string State { get; set; } = "";
    public string StateKind { get; set; } = "";
    public string Priority { get; set; } = "";
    public Guid MerchantId { get; set; }
    public Guid? DeviceId { get; set; }
    public Guid? AssigneeId { get; set; }
    public Guid? ChannelClientId { get; set; }
    public string? ConversationId { get; set; }
    public string Description { get; set; } = "";
    public long? ClaimAmountFen { get; set; }
    public DateOnly? ClaimChargedOn { get; set; }
    public int? ClaimChargedRateBp { get; set; }
    public long AgreedFeeFen { get; set; }
    public string? ReplacementSerial { get; set; }
    public string? TrackingNumber { get; set; }
    public string? Outcome { get; set; }
    public int EscalationTier { get; set; }
    public Guid? LinkedCaseId { get; set; }
    /// <summary>The earlier case of the same channel conversation this one continues (opened after that one was resolved or closed).</summary>
    public Guid? PreviousCaseId { get; set; }
    public long Version { get; set; }
    public DateTimeOffset OpenedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }

    internal const string Columns = """
        id AS Id, number AS Number, workflow_id AS WorkflowId, workflow_version AS WorkflowVersion, state AS State,
        state_kind AS StateKind, priority AS Priority, merchant_id AS MerchantId, device_id AS DeviceId,
        assignee_id AS AssigneeId, channel_client_id AS ChannelClientId, conversation_id AS ConversationId,
        description AS Description, claim_amount_fen AS ClaimAmountFen, claim_charged_on AS ClaimChargedOn,
        claim_charged_rate_bp AS ClaimChargedRateBp, agreed_fee_fen AS AgreedFeeFen, replacement_serial AS ReplacementSerial,
        tracking_number AS TrackingNumber, outcome AS Outcome, escalation_tier AS EscalationTier,
        linked_case_id AS LinkedCaseId, previous_case_id AS PreviousCaseId, version AS Version, opened_at AS OpenedAt, updated_at AS UpdatedAt,
        resolved_at AS ResolvedAt, closed_at AS ClosedAt
        """;
}

/// <summary>The contract terms captured onto a case by <c>contract.lookup</c>.</summary>
public sealed class ContractTerms
{
    public Guid ContractId { get; set; }
    public int FeeRateBp { get; set; }
    public bool DataFeeClause { get; set; }
    public long DataFeeAmountFen { get; set; }
    public int DataFeePeriodMonths { get; set; }
    public int DataFeeFreeDays { get; set; }
    public long? DataFeeWaiverVolumeFen { get; set; }
    public int RefundWindowDays { get; set; }
    public bool FeeNoticeClause { get; set; }
    public bool FeeNoticeGiven { get; set; }
    public int WarrantyMonths { get; set; }
    public long DepositFen { get; set; }
    public bool DepositPaid { get; set; }
    public long ReplacementFeeFen { get; set; }
    public bool DeviceLeased { get; set; }

    internal const string Columns = """
        fee_rate_bp AS FeeRateBp, data_fee_clause AS DataFeeClause, data_fee_amount_fen AS DataFeeAmountFen,
        data_fee_period_months AS DataFeePeriodMonths, data_fee_free_days AS DataFeeFreeDays,
        data_fee_waiver_volume_fen AS DataFeeWaiverVolumeFen, refund_window_days AS RefundWindowDays,
        fee_notice_clause AS FeeNoticeClause, fee_notice_given AS FeeNoticeGiven, warranty_months AS WarrantyMonths,
        deposit_fen AS DepositFen, deposit_paid AS DepositPaid, replacement_fee_fen AS ReplacementFeeFen,
        device_leased AS DeviceLeased
        """;
}

public sealed class OfferRecord
{
    public Guid Id { get; set; }
    public Guid CaseId { get; set; }
    public string Kind { get; set; } = "";
    public long AmountFen { get; set; }
    public bool IsFinal { get; set; }
    public string Status { get; set; } = "";
    public bool NeedsApproval { get; set; }
    public string? ApproverId { get; set; }
    public string ProposedBy { get; set; } = "";
    public DateTimeOffset ProposedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }
    public long? CounterAmountFen { get; set; }

    internal const string Columns = """
        id AS Id, case_id AS CaseId, kind AS Kind, amount_fen AS AmountFen, is_final AS IsFinal, status AS Status,
        needs_approval AS NeedsApproval, approver_id AS ApproverId, proposed_by AS ProposedBy, proposed_at AS ProposedAt,
        expires_at AS ExpiresAt, answered_at AS AnsweredAt, counter_amount_fen AS CounterAmountFen
        """;
}
