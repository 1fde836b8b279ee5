namespace PosSupport.Core.Workflows;

/// <summary>
/// What the engine knows about a case when it decides: the pinned workflow, the current state, the
/// row version, the instant of the decision and the facts guards read. Built by the caller from the
/// database; the engine never reads anything else.
/// </summary>
public sealed record CaseSnapshot(
    string WorkflowId,
    int WorkflowVersion,
    string State,
    long Version,
    DateTimeOffset Now,
    CaseFacts Facts);

/// <summary>The raw facts guards decide on. Derived values (refund window, warranty) are computed by guards.</summary>
public sealed record CaseFacts
{
    // Declared before Empty: static fields initialise in order, and Empty's defaults read this one.
    private static readonly IReadOnlySet<string> EmptySet = new HashSet<string>();

    public static readonly CaseFacts Empty = new();

    /// <summary>Evidence types with at least one accepted item.</summary>
    public IReadOnlySet<string> AcceptedEvidence { get; init; } = EmptySet;
    public ContractFacts? Contract { get; init; }
    public DeviceFacts? Device { get; init; }
    public OfferFacts? OpenOffer { get; init; }
    /// <summary>When the disputed data fee was deducted (data-fee cases).</summary>
    public DateOnly? DataFeeChargedOn { get; init; }
    /// <summary>Merchant's card volume over the twelve months before the charge, in fen.</summary>
    public long? TrailingYearVolumeFen { get; init; }
    /// <summary>The fee rate actually charged, in basis points (fee-rate disputes).</summary>
    public int? ChargedRateBp { get; init; }
    /// <summary>Replacement fee the merchant agreed to pay, in fen; 0 when free.</summary>
    public long AgreedReplacementFeeFen { get; init; }
    /// <summary>Largest offer (in fen) an agent may make without a supervisor's approval.</summary>
    public long AgentOfferAuthorityFen { get; init; } = 10_000;
}

public sealed record ContractFacts
{
    public bool HasDataFeeClause { get; init; }
    public long DataFeeAmountFen { get; init; }
    /// <summary>Data fee not charged for this many days after activation (0: none).</summary>
    public int DataFeeFreeDays { get; init; }
    /// <summary>Data fee waived when trailing-year volume reaches this (null: no such waiver).</summary>
    public long? DataFeeWaiverVolumeFen { get; init; }
    public int RefundWindowDays { get; init; }
    /// <summary>Whether the merchant was notified of the fee as the contract's notice clause requires.</summary>
    public bool FeeNoticeGiven { get; init; }
    public int FeeRateBp { get; init; }
    public int WarrantyMonths { get; init; }
    public long ReplacementFeeFen { get; init; }
}

public sealed record DeviceFacts
{
    public DateOnly? ActivatedOn { get; init; }
    public bool PhysicalDamage { get; init; }
}

public sealed record OfferFacts(long AmountFen, bool IsFinal, bool Approved);
