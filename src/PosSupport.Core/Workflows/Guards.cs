namespace PosSupport.Core.Workflows;

/// <summary>What a guard sees: the case, who is acting, and the inputs given (absent while listing actions).</summary>
public readonly record struct GuardContext(
    CaseSnapshot Case,
    StateDefinition State,
    Actor Actor,
    IReadOnlyDictionary<string, string>? Inputs)
{
    public bool InputsKnown => Inputs is not null;
}

/// <summary>
/// A named condition workflows may use in <c>when</c>. <see cref="Holds"/> and <see cref="Fails"/> describe
/// the condition and its negation to the person who sees why an action is blocked.
/// </summary>
public sealed class Guard(string name, LocalizedText holds, LocalizedText fails, Func<GuardContext, bool> predicate)
{
    public string Name { get; } = name;
    public LocalizedText Holds { get; } = holds;
    public LocalizedText Fails { get; } = fails;
    public bool Evaluate(in GuardContext context) => predicate(context);
}

/// <summary>The guards workflow files may name. Adding a guard is a code change; using one is not.</summary>
public sealed class GuardRegistry
{
    private readonly Dictionary<string, Guard> _guards = new(StringComparer.Ordinal);

    public GuardRegistry(IEnumerable<Guard> guards)
    {
        foreach (var guard in guards)
            if (!_guards.TryAdd(guard.Name, guard))
                throw new ArgumentException($"Guard '{guard.Name}' is registered twice.", nameof(guards));
    }

    public static GuardRegistry Default { get; } = new(BuiltInGuards.All);

    public bool TryGet(string name, out Guard guard) => _guards.TryGetValue(name, out guard!);
    public Guard this[string name] => _guards[name];
    public IEnumerable<string> Names => _guards.Keys;
}

internal static class BuiltInGuards
{
    public const string OfferAmountInput = "amount";

    public static IEnumerable<Guard> All =>
    [
        new("evidence.complete",
            new("All required evidence has been accepted", "所需证据材料均已审核通过"),
            new("Some required evidence is still missing or not accepted", "仍有所需证据材料缺失或未通过审核"),
            c =>
            {
                foreach (var type in c.State.RequiresEvidence)
                    if (!c.Case.Facts.AcceptedEvidence.Contains(type)) return false;
                return true;
            }),
        new("contract.known",
            new("The merchant's contract terms are on file", "商户合同条款已调取"),
            new("The merchant's contract terms are not on file yet", "尚未调取商户合同条款"),
            c => c.Case.Facts.Contract is not null),
        new("contract.has-data-fee-clause",
            new("The contract has a data-fee clause", "合同含有流量费条款"),
            new("The contract has no data-fee clause", "合同未约定流量费"),
            c => c.Case.Facts.Contract?.HasDataFeeClause == true),
        new("contract.fee-notice-given",
            new("The merchant was notified of the data fee as the contract requires", "已按合同约定通知商户流量费"),
            new("The merchant was not notified of the data fee as the contract requires", "未按合同约定通知商户流量费"),
            c => c.Case.Facts.Contract?.FeeNoticeGiven == true),
        new("data-fee.waiver-met",
            new("The contract's waiver condition is met (free period or yearly volume)", "满足合同免收条件（免费期或年交易量）"),
            new("The contract's waiver condition is not met", "不满足合同免收条件"),
            DataFeeWaiverMet),
        new("data-fee.within-refund-window",
            new("The charge is inside the contract's refund window", "扣费在合同约定的退款期限内"),
            new("The charge is outside the contract's refund window", "扣费已超出合同约定的退款期限"),
            c => c.Case.Facts is { DataFeeChargedOn: { } charged, Contract: { } contract }
                 && DaysSince(charged, c.Case.Now) <= contract.RefundWindowDays),
        new("device.in-warranty",
            new("The device is within its warranty", "机具在保修期内"),
            new("The device is out of warranty", "机具已过保修期"),
            c => c.Case.Facts is { Device.ActivatedOn: { } activated, Contract: { } contract }
                 && DateOnly.FromDateTime(c.Case.Now.UtcDateTime) < activated.AddMonths(contract.WarrantyMonths)),
        new("device.physical-damage",
            new("The device shows physical damage", "机具存在人为损坏"),
            new("The device shows no physical damage", "机具无人为损坏"),
            c => c.Case.Facts.Device?.PhysicalDamage == true),
        new("replacement.fee-agreed",
            new("The merchant agreed to a replacement fee", "商户已同意支付换机费"),
            new("The replacement is free of charge", "本次换机免费"),
            c => c.Case.Facts.AgreedReplacementFeeFen > 0),
        new("offer.within-authority",
            new("The offer is within the agent's authority", "方案金额在客服权限内"),
            new("The offer exceeds the agent's authority and needs a supervisor's approval", "方案金额超出客服权限，需主管审批"),
            OfferWithinAuthority),
        new("offer.open",
            new("An offer is awaiting the merchant's answer", "有待商户答复的方案"),
            new("No offer is awaiting the merchant's answer", "没有待商户答复的方案"),
            c => c.Case.Facts.OpenOffer is not null),
        new("offer.final",
            new("The open offer is marked as the final offer", "当前方案为最终方案"),
            new("The open offer is not the final offer", "当前方案不是最终方案"),
            c => c.Case.Facts.OpenOffer?.IsFinal == true),
        new("fee-rate.overcharged",
            new("The rate charged is above the contract rate", "实际扣费费率高于合同费率"),
            new("The rate charged matches the contract rate", "实际扣费费率与合同费率一致"),
            c => c.Case.Facts is { ChargedRateBp: { } charged, Contract: { } contract } && charged > contract.FeeRateBp),
        new("actor.supervisor",
            new("Done by a supervisor", "由主管操作"),
            new("Done by someone other than a supervisor", "非主管操作"),
            c => c.Actor == Actor.Supervisor),
    ];

    private static int DaysSince(DateOnly date, DateTimeOffset now) =>
        DateOnly.FromDateTime(now.UtcDateTime).DayNumber - date.DayNumber;

    private static bool DataFeeWaiverMet(GuardContext c)
    {
        var facts = c.Case.Facts;
        if (facts.Contract is not { } contract) return false;
        if (contract.DataFeeFreeDays > 0 && facts is { Device.ActivatedOn: { } activated, DataFeeChargedOn: { } charged }
            && charged.DayNumber - activated.DayNumber < contract.DataFeeFreeDays)
            return true;
        return contract.DataFeeWaiverVolumeFen is { } threshold
               && facts.TrailingYearVolumeFen is { } volume
               && volume >= threshold;
    }

    // Before the amount is known (listing actions) the guard cannot say no: the form asks for it.
    private static bool OfferWithinAuthority(GuardContext c)
    {
        if (c.Actor == Actor.Supervisor) return true;
        if (c.Inputs is null || !c.Inputs.TryGetValue(OfferAmountInput, out var text)) return true;
        return long.TryParse(text, out var amount) && amount <= c.Case.Facts.AgentOfferAuthorityFen;
    }
}
