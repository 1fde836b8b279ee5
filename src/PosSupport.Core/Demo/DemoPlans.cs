using System.Globalization;

namespace PosSupport.Core.Demo;

/// <summary>
/// The demo cases: at least one in every state of every shipped workflow, each reached the way a real case gets there
/// and opened for a merchant whose contract and terminal fit the story (a refund because the contract has no data-fee
/// clause, a replacement fee because the terminal is out of warranty...). Offer amounts respect the configured agent
/// authority, so the cases meant to wait for a supervisor's approval do, and the others do not.
/// </summary>
internal sealed class DemoPlans(DemoWorld world, long agentOfferAuthorityFen, Func<DemoDevice, string> replacementSerial)
{
    private const string DataFee = "data-fee-cancellation";
    private const string Device = "device-replacement";
    private const string FeeRate = "fee-rate-dispute";

    public IEnumerable<DemoPlan> All() => [.. DataFeePlans(), .. DevicePlans(), .. FeeRatePlans()];

    private IEnumerable<DemoPlan> DataFeePlans()
    {
        DemoStep[] assessing = [Accept(), Fire(Who.Agent, "evidence-complete")];
        DemoStep[] assessed = [.. assessing, Fire(Who.Agent, "assess")];
        return
        [
            new(DataFee, "gathering-contract", (m, d) => m.Contract is null && d.HasSim, ChargedRecently, _ => [], Count: 2),
            new(DataFee, "collecting-evidence", HasContractAndSim, ChargedRecently, _ => [], Count: 2),
            new(DataFee, "collecting-evidence", HasContractAndSim, ChargedRecently, _ => [Accept("business-licence")]),
            new(DataFee, "assessing", HasContractAndSim, ChargedRecently, _ => assessing, Count: 2),
            new(DataFee, "negotiating", Negotiable, ChargedLongAgo, _ => assessed, Count: 2),
            new(DataFee, "awaiting-approval", (m, d) => Negotiable(m, d) && DataFeeClaim(m) > 10_000, ChargedLongAgo,
                s => [.. assessed, Offer("full-refund", AboveAuthority(s.ClaimAmountFen!.Value))]),
            new(DataFee, "offer-pending", Negotiable, ChargedLongAgo,
                s => [.. assessed, Offer("partial-refund", WithinAuthority(s.ClaimAmountFen!.Value / 2))], Count: 2),
            new(DataFee, "escalated", HasContractAndSim, ChargedRecently,
                _ => [Fire(Who.Agent, "escalate", ("reason", "商户表示要拨打12363投诉"))]),
            new(DataFee, "escalated", Negotiable, ChargedLongAgo,
                s => [.. assessed, Offer("partial-refund", WithinAuthority(s.ClaimAmountFen!.Value / 2), final: true),
                      Fire(Who.Merchant, "reject", ("reason", "只退一半不能接受"))]),
            new(DataFee, "resolved-refund", (m, d) => m.Contract is { Clause: DataFeeClause.None } && d.HasSim, ChargedRecently, _ => assessed,
                Description: s => $"合同里没写流量费，为什么扣我{DemoStories.Yuan(s.ClaimAmountFen!.Value)}元？"),
            new(DataFee, "resolved-refund", (m, d) => m.Contract is { Clause: not DataFeeClause.None, FeeNoticeGiven: false } && d.HasSim, ChargedRecently,
                _ => assessed, Description: s => $"结算款里被扣了{DemoStories.Yuan(s.ClaimAmountFen!.Value)}元流量费，之前没有任何通知。"),
            new(DataFee, "resolved-refund", VolumeWaiverMet, ChargedRecently, _ => assessed,
                Description: s => $"我们店一年刷卡三十多万，按合同应该免流量费，却扣了{DemoStories.Yuan(s.ClaimAmountFen!.Value)}元。"),
            new(DataFee, "resolved-refund", InFreePeriod, ChargedJustNow, _ => assessed,
                Description: s => $"机器装了还不到三个月就扣了{DemoStories.Yuan(s.ClaimAmountFen!.Value)}元流量费，说好的前90天免费呢？"),
            new(DataFee, "resolved", Negotiable, ChargedLongAgo,
                s => [.. assessed, Offer("waive-next-year", WithinAuthority(s.Contract.DataFeeAmountFen)), Fire(Who.Merchant, "accept-waive-next-year")]),
            new(DataFee, "resolved", Negotiable, ChargedLongAgo,
                _ => [.. assessed, Offer("plan-change", WithinAuthority(6_300)), Fire(Who.Merchant, "accept-plan-change")]),
            new(DataFee, "switched-to-device-case", HasContractAndSim, ChargedRecently, _ => [Fire(Who.Merchant, "switch-pos")]),
            new(DataFee, "closed", HasContractAndSim, ChargedRecently, _ => [Fire(Who.Merchant, "withdraw", ("reason", "已经和业务员沟通好了，不用处理了"))]),
            new(DataFee, "closed", HasContractAndSim, ChargedRecently, _ => [Fire(Who.System, "evidence-timed-out")]),
            new(DataFee, "closed", (m, d) => m.Contract is { Clause: DataFeeClause.None } && d.HasSim, ChargedRecently,
                _ => [.. assessed, Fire(Who.Agent, "close")]),
        ];
    }

    private IEnumerable<DemoPlan> DevicePlans()
    {
        DemoStep[] troubleshooting = [Fire(Who.Agent, "start-troubleshooting")];
        DemoStep[] evidence = [.. troubleshooting, Fire(Who.Merchant, "still-faulty")];
        DemoStep[] warranty = [.. evidence, Accept(), Fire(Who.Agent, "evidence-complete")];
        DemoStep[] decided = [.. warranty, Fire(Who.Agent, "decide")];
        DemoStep[] Shipped(DemoCaseSubject s) =>
            [.. decided, Fire(Who.Agent, "shipped", ("trackingNumber", "SF" + world.Digits(13)), ("replacementSerial", replacementSerial(s.Device)))];
        DemoStep[] AwaitingReturn(DemoCaseSubject s) => [.. Shipped(s), Fire(Who.Merchant, "delivered"), Fire(Who.Agent, "activated")];
        return
        [
            new(Device, "intake", Any, Terminal, _ => [], Count: 2),
            new(Device, "remote-troubleshooting", Any, Terminal, _ => troubleshooting, Count: 2),
            new(Device, "collecting-evidence", Any, Terminal, _ => evidence),
            new(Device, "collecting-evidence", Any, Terminal, _ => [.. evidence, Accept("device-photo", "screen-photo")]),
            new(Device, "checking-warranty", HasContract, Terminal, _ => warranty, Count: 2),
            new(Device, "preparing-shipment", InWarranty, Terminal, _ => decided, Count: 2),
            new(Device, "fee-quoted", OutOfWarranty, Terminal, _ => decided),
            new(Device, "fee-quoted", DamagedInWarranty, Terminal, _ => decided),
            new(Device, "negotiating", OutOfWarranty, Terminal, _ => [.. decided, Fire(Who.Merchant, "dispute-fee", ("reason", "机器用了不到两年就坏了，不该收这么多"))]),
            new(Device, "awaiting-approval", OutOfWarranty, Terminal,
                s => [.. decided, Fire(Who.Merchant, "dispute-fee"), Offer("waive", AboveAuthority(s.Contract.ReplacementFeeFen))]),
            new(Device, "offer-pending", OutOfWarranty, Terminal,
                s => [.. decided, Fire(Who.Merchant, "dispute-fee"), Offer("reduce", WithinAuthority(s.Contract.ReplacementFeeFen * 2 / 5))]),
            new(Device, "offer-pending", OutOfWarranty, Terminal,
                s => [.. decided, Fire(Who.Merchant, "dispute-fee"), Offer("waive", AboveAuthority(s.Contract.ReplacementFeeFen)), Fire(Who.Supervisor, "approve-offer")]),
            new(Device, "escalated", OutOfWarranty, Terminal,
                s => [.. decided, Fire(Who.Merchant, "dispute-fee"), Offer("reduce", WithinAuthority(s.Contract.ReplacementFeeFen / 2), final: true),
                      Fire(Who.Merchant, "reject", ("reason", "还是太贵了"))]),
            new(Device, "escalated", Any, Terminal, _ => [.. troubleshooting, Fire(Who.Agent, "escalate", ("reason", "商户每天损失营业额，要求加急处理"))]),
            new(Device, "awaiting-delivery", InWarranty, Terminal, Shipped, Count: 2),
            new(Device, "awaiting-pickup", InWarranty, Terminal,
                s => [.. decided, Fire(Who.Agent, "pickup-arranged", ("store", s.Merchant.City + "服务网点"), ("replacementSerial", replacementSerial(s.Device)))]),
            new(Device, "activating", InWarranty, Terminal, s => [.. Shipped(s), Fire(Who.Merchant, "delivered")]),
            new(Device, "awaiting-return", InWarranty, Terminal, AwaitingReturn, Count: 2),
            new(Device, "return-overdue", InWarranty, Terminal, s => [.. AwaitingReturn(s), Fire(Who.System, "return-overdue")]),
            new(Device, "resolved", Any, Terminal, _ => [.. troubleshooting, Fire(Who.Merchant, "fixed-remotely")]),
            new(Device, "resolved", InWarranty, Terminal, s => [.. AwaitingReturn(s), Fire(Who.Agent, "old-unit-received")]),
            new(Device, "resolved", OutOfWarranty, Terminal,
                s => [.. decided, Fire(Who.Merchant, "accept-fee"), Fire(Who.Agent, "shipped", ("trackingNumber", "SF" + world.Digits(13)),
                      ("replacementSerial", replacementSerial(s.Device))), Fire(Who.Merchant, "delivered"), Fire(Who.Agent, "activated"),
                      Fire(Who.Agent, "old-unit-received")]),
            new(Device, "closed", OutOfWarranty, Terminal, _ => [.. decided, Fire(Who.Merchant, "decline-fee", ("reason", "太贵了，不换了"))]),
            new(Device, "closed", Any, Terminal, _ => [.. troubleshooting, Fire(Who.System, "no-reply")]),
            new(Device, "closed", Any, Terminal, _ => [.. troubleshooting, Fire(Who.Merchant, "fixed-remotely"), Fire(Who.Agent, "close")]),
        ];
    }

    private IEnumerable<DemoPlan> FeeRatePlans()
    {
        DemoStep[] assessing = [Accept(), Fire(Who.Agent, "evidence-complete")];
        DemoStep[] assessed = [.. assessing, Fire(Who.Agent, "assess")];
        return
        [
            new(FeeRate, "gathering-contract", (m, _) => m.Contract is null, RateAboveContract, _ => []),
            new(FeeRate, "collecting-evidence", HasContract, RateAboveContract, _ => [], Count: 2),
            new(FeeRate, "assessing", HasContract, RateAboveContract, _ => assessing, Count: 2),
            new(FeeRate, "negotiating", DiscountedRate, RateAboveContract, _ => assessed, Count: 2),
            new(FeeRate, "rate-confirmed", HasContract, RateAsContract, _ => assessed),
            new(FeeRate, "awaiting-approval", DiscountedRate, RateAboveContract, _ => [.. assessed, Offer("refund-difference", AboveAuthority(26_500))]),
            new(FeeRate, "offer-pending", DiscountedRate, RateAboveContract, _ => [.. assessed, Offer("partial-refund", WithinAuthority(6_800))], Count: 2),
            new(FeeRate, "escalated", HasContract, RateAsContract, _ => [.. assessed, Fire(Who.Merchant, "reopen", ("reason", "我有扣费截图，费率确实不对"))]),
            new(FeeRate, "resolved-refund", DiscountedRate, RateAboveContract,
                _ => [.. assessed, Offer("partial-refund", WithinAuthority(4_500)), Fire(Who.Merchant, "accept-partial-refund")]),
            new(FeeRate, "resolved", DiscountedRate, RateAboveContract,
                _ => [.. assessed, Offer("points-credit", WithinAuthority(5_000)), Fire(Who.Merchant, "accept-points-credit")]),
            new(FeeRate, "closed", HasContract, RateAboveContract, _ => [Fire(Who.Merchant, "withdraw", ("reason", "看错账单了，费率没有问题"))]),
            new(FeeRate, "closed", HasContract, RateAsContract, _ => [.. assessed, Fire(Who.Agent, "close")]),
        ];
    }

    private static bool Any(DemoMerchant merchant, DemoDevice device) => true;

    private static bool HasContract(DemoMerchant merchant, DemoDevice device) => merchant.Contract is not null;

    private static bool HasContractAndSim(DemoMerchant merchant, DemoDevice device) => merchant.Contract is not null && device.HasSim;

    // Assessed against the contract this lands in negotiation: a clause, the notice given, no waiver, outside the refund window.
    private bool Negotiable(DemoMerchant merchant, DemoDevice device) =>
        device.HasSim && merchant.Contract is { Clause: not DataFeeClause.None, FeeNoticeGiven: true } contract
        && !(contract.DataFeeWaiverVolumeFen is { } threshold && merchant.TrailingYearVolumeFen >= threshold)
        && !(contract.DataFeeFreeDays > 0 && world.Today.DayNumber - device.ActivatedOn!.Value.DayNumber < 300);

    private static bool VolumeWaiverMet(DemoMerchant merchant, DemoDevice device) =>
        device.HasSim && merchant.Contract is { Clause: DataFeeClause.Annual99WaivedAboveVolume, FeeNoticeGiven: true }
        && merchant.TrailingYearVolumeFen >= DemoWorld.WaiverVolumeFen;

    private bool InFreePeriod(DemoMerchant merchant, DemoDevice device) =>
        device.HasSim && merchant.Contract is { Clause: DataFeeClause.Annual36FirstNinetyDaysFree, FeeNoticeGiven: true }
        && world.Today.DayNumber - device.ActivatedOn!.Value.DayNumber <= 60;

    private bool Warranted(DemoMerchant merchant, DemoDevice device) =>
        merchant.Contract is { } contract && world.Today < device.ActivatedOn!.Value.AddMonths(contract.WarrantyMonths);

    private bool InWarranty(DemoMerchant merchant, DemoDevice device) => Warranted(merchant, device) && !device.PhysicalDamage;

    private bool DamagedInWarranty(DemoMerchant merchant, DemoDevice device) => Warranted(merchant, device) && device.PhysicalDamage;

    private bool OutOfWarranty(DemoMerchant merchant, DemoDevice device) => merchant.Contract is not null && !Warranted(merchant, device);

    private static bool DiscountedRate(DemoMerchant merchant, DemoDevice device) => merchant.Contract is { FeeRateBp: < 60 };

    private static long DataFeeClaim(DemoMerchant merchant) =>
        (merchant.Contract is { Clause: not DataFeeClause.None } contract ? contract.DataFeeAmountFen : 9_900) * merchant.SimDevices;

    private DemoCaseSubject ChargedRecently(DemoMerchant merchant, DemoDevice device) =>
        new(merchant, device, DataFeeClaim(merchant), world.Today.AddDays(-world.Next(5, 25)), null);

    private DemoCaseSubject ChargedLongAgo(DemoMerchant merchant, DemoDevice device) =>
        new(merchant, device, DataFeeClaim(merchant), world.Today.AddDays(-(merchant.Contract!.RefundWindowDays + world.Next(10, 80))), null);

    private DemoCaseSubject ChargedJustNow(DemoMerchant merchant, DemoDevice device) =>
        new(merchant, device, DataFeeClaim(merchant), world.Today.AddDays(-world.Next(3, 11)), null);

    private static DemoCaseSubject Terminal(DemoMerchant merchant, DemoDevice device) => new(merchant, device, null, null, null);

    private static DemoCaseSubject RateAboveContract(DemoMerchant merchant, DemoDevice device) =>
        new(merchant, device, 12_800, null, merchant.Contract is { FeeRateBp: var rate } ? (rate < 60 ? 60 : rate + 18) : 60);

    private static DemoCaseSubject RateAsContract(DemoMerchant merchant, DemoDevice device) =>
        new(merchant, device, 6_600, null, merchant.Contract!.FeeRateBp);

    private long AboveAuthority(long amountFen) => Math.Max(amountFen, agentOfferAuthorityFen + 100);

    private long WithinAuthority(long amountFen) => Math.Min(amountFen, agentOfferAuthorityFen);

    private static FireStep Fire(Who by, string trigger, params (string Name, string Value)[] inputs) =>
        new(by, trigger, inputs.ToDictionary(i => i.Name, i => i.Value, StringComparer.Ordinal));

    private static FireStep Offer(string kind, long amountFen, bool final = false) =>
        Fire(Who.Agent, "propose-offer", ("kind", kind), ("amount", amountFen.ToString(CultureInfo.InvariantCulture)), ("final", final ? "true" : "false"));

    private static AcceptEvidenceStep Accept(params string[] types) => new(types);
}
