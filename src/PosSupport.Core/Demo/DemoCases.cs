using System.Globalization;
using MediatR;
using PosSupport.Core.Cases;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Demo;

/// <summary>Who takes a step: the merchant (through the channel that opened the case, else an agent on the phone), the case's agent, the supervisor, or a follow-up job.</summary>
internal enum Who { Merchant, Agent, Supervisor, System }

internal abstract record DemoStep;

internal sealed record FireStep(Who By, string Trigger, IReadOnlyDictionary<string, string> Inputs) : DemoStep;

/// <summary>The requested evidence items of these types (all of them when empty) arrive and are accepted.</summary>
internal sealed record AcceptEvidenceStep(IReadOnlyList<string> Types) : DemoStep;

/// <summary>The merchant and device a demo case is about, with what the merchant claims.</summary>
internal sealed record DemoCaseSubject(DemoMerchant Merchant, DemoDevice Device, long? ClaimAmountFen, DateOnly? ClaimChargedOn, int? ClaimChargedRateBp)
{
    public DemoContract Contract => Merchant.Contract ?? throw new InvalidOperationException($"Demo merchant {Merchant.Name} has no contract.");
}

/// <summary>
/// One kind of demo case: the workflow, the state it must end in, which merchant and device fit its story, the claim, and the
/// steps that take it there. Every step goes through the real slices, so the timeline, checklist, offers, outbox and
/// follow-ups are what a real case would have.
/// </summary>
internal sealed record DemoPlan(
    string Workflow,
    string Reaches,
    Func<DemoMerchant, DemoDevice, bool> Fits,
    Func<DemoMerchant, DemoDevice, DemoCaseSubject> Subject,
    Func<DemoCaseSubject, IEnumerable<DemoStep>> Steps,
    int Count = 1,
    Func<DemoCaseSubject, string>? Description = null);

/// <summary>Opens and walks the demo cases, inside the seeding transaction.</summary>
internal sealed class DemoCases(DemoWorld world, IMediator mediator, CaseStore store, CaseSession session, long agentOfferAuthorityFen)
{
    private readonly Dictionary<string, HashSet<Guid>> _used = new(StringComparer.Ordinal);
    private readonly List<DemoDevice> _stock = [.. world.Stock];

    /// <summary>Runs every plan; returns how many cases were opened (a switch to a new terminal opens a second, linked case).</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var plans = new DemoPlans(world, agentOfferAuthorityFen, NextReplacementSerial);
        var opened = 0;
        foreach (var plan in plans.All())
            for (var i = 0; i < plan.Count; i++)
                opened += await RunAsync(plan, cancellationToken).ConfigureAwait(false);
        return opened;
    }

    private async Task<int> RunAsync(DemoPlan plan, CancellationToken cancellationToken)
    {
        var (merchant, device) = Choose(plan);
        var subject = plan.Subject(merchant, device);
        var group = Assignment.SkillGroup(plan.Workflow);
        Caller? channel = null;
        string? conversation = null;
        if (world.Chance(0.6))
        {
            var client = world.Pick(world.Channels);
            channel = Caller.Channel(client.Id);
            conversation = $"{client.ConversationPrefix}-{world.Digits(10)}";
        }
        var opener = channel ?? Caller.Agent(world.Pick(world.AvailableAgents(group).ToList()).Id);
        var priority = world.Next(0, 20) switch { 0 => "urgent", < 4 => "high", < 6 => "low", _ => "normal" };
        var description = plan.Description?.Invoke(subject) ?? DemoStories.Describe(world, plan.Workflow, subject);

        var opened = await mediator.Send(new OpenCase.Command(plan.Workflow, merchant.Id, description, opener, priority,
            DeviceSerial: plan.Workflow == "fee-rate-dispute" ? null : device.SerialNumber, ConversationId: conversation,
            ClaimAmountFen: subject.ClaimAmountFen, ClaimChargedOn: subject.ClaimChargedOn, ClaimChargedRateBp: subject.ClaimChargedRateBp),
            cancellationToken).ConfigureAwait(false);

        var agent = Caller.Agent(opened.AssigneeId ?? world.AvailableAgents(group).First().Id);
        var merchantSide = channel ?? agent;
        foreach (var step in plan.Steps(subject))
        {
            if (step is AcceptEvidenceStep accept)
            {
                await AcceptEvidenceAsync(opened.Id, accept.Types, merchantSide, agent, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var fire = (FireStep)step;
            var caller = fire.By switch
            {
                Who.Merchant => merchantSide,
                Who.Agent => agent,
                Who.Supervisor => Caller.Supervisor(world.Supervisor.Id),
                _ => Caller.System("follow-ups"),
            };
            await mediator.Send(new FireTrigger.Command(opened.Id, fire.Trigger, fire.Inputs, caller), cancellationToken).ConfigureAwait(false);
        }

        var state = await session.ExecuteScalarAsync<string>("SELECT state FROM cases WHERE id = @Id", opened, cancellationToken).ConfigureAwait(false);
        if (state != plan.Reaches)
            throw new InvalidOperationException($"Demo case {opened.Number} ({plan.Workflow}) ended in '{state}', not '{plan.Reaches}'.");
        return 1 + checked((int)await session.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM cases WHERE linked_case_id = @Id", opened, cancellationToken)
            .ConfigureAwait(false));
    }

    // Each demo merchant has at most one case of a workflow and each device one replacement case, while there are enough to go round.
    private (DemoMerchant, DemoDevice) Choose(DemoPlan plan)
    {
        var used = _used.TryGetValue(plan.Workflow, out var set) ? set : _used[plan.Workflow] = [];
        var byDevice = plan.Workflow == "device-replacement";
        var fitting = world.Merchants.SelectMany(m => m.Devices.Select(d => (Merchant: m, Device: d))).Where(p => plan.Fits(p.Merchant, p.Device)).ToList();
        var fresh = fitting.Where(p => !used.Contains(byDevice ? p.Device.Id : p.Merchant.Id)).ToList();
        if (fitting.Count == 0) throw new InvalidOperationException($"No demo merchant fits a '{plan.Reaches}' case of {plan.Workflow}.");
        var chosen = world.Pick(fresh.Count > 0 ? fresh : fitting);
        used.Add(byDevice ? chosen.Device.Id : chosen.Merchant.Id);
        return chosen;
    }

    // A spare of the faulty terminal's model when the warehouse has one, else the first spare.
    private string NextReplacementSerial(DemoDevice faulty)
    {
        if (_stock.Count == 0) throw new InvalidOperationException("The demo warehouse ran out of spare terminals.");
        var index = Math.Max(0, _stock.FindIndex(d => d.Model == faulty.Model));
        var spare = _stock[index];
        _stock.RemoveAt(index);
        return spare.SerialNumber;
    }

    /// <summary>
    /// The merchant's files arrive and the agent accepts them. ReviewEvidence is being written beside this in issue 3, so
    /// until it is merged this is plain SQL that keeps the rules every case write follows: the case row's version is
    /// bumped first, then one timeline event per accepted item. No bytes are stored: the demo has no photos.
    /// </summary>
    private async Task AcceptEvidenceAsync(Guid caseId, IReadOnlyList<string> types, Caller merchant, Caller reviewer, CancellationToken cancellationToken)
    {
        var items = (await session.QueryAsync<EvidenceRow>(
                "SELECT id AS Id, type AS Type FROM evidence_items WHERE case_id = @caseId AND status = 'requested' ORDER BY type", new { caseId }, cancellationToken)
            .ConfigureAwait(false)).Where(e => types.Count == 0 || types.Contains(e.Type, StringComparer.Ordinal)).ToList();
        if (items.Count == 0) return;
        var record = await store.LoadAsync(caseId, cancellationToken).ConfigureAwait(false);
        await store.BumpAsync(record, record.Version, cancellationToken).ConfigureAwait(false);
        foreach (var item in items)
        {
            await session.ExecuteAsync("""
                UPDATE evidence_items
                   SET status = 'accepted', submitted_at = @now, submitted_by = @submittedBy, reviewer_id = @reviewerId, reviewed_at = @now
                 WHERE id = @id
                """, new { id = item.Id, now = record.UpdatedAt, submittedBy = merchant.Id, reviewerId = reviewer.Id }, cancellationToken).ConfigureAwait(false);
            await store.AppendEventAsync(caseId, "evidence-accepted", reviewer, merchantVisible: true, new { evidence = item.Id, type = item.Type }, cancellationToken)
                .ConfigureAwait(false);
        }
    }

    private sealed class EvidenceRow
    {
        public Guid Id { get; set; }
        public string Type { get; set; } = "";
    }
}

/// <summary>What merchants write when they open a case, in their words.</summary>
internal static class DemoStories
{
    private static readonly string[] DataFee =
    [
        "结算款里被扣了{0}元流量费，之前没有任何通知。", "每台机器都扣了流量费，一共{0}元，要求退款。", "合同里没说有流量费，为什么扣我{0}元？",
        "不想再交流量费了，这次扣的{0}元请退回，以后也别再扣了。",
    ];

    private static readonly string[] Faults =
    [
        "刷卡一直提示“交易失败”，重启了也不行。", "机器开不了机，充了一晚上电也没反应。", "读不出卡，屏幕提示错误码 E05。",
        "连不上网络，信号一直显示叉，换了地方也一样。", "打印机不出纸，小票打不出来。", "电签机蓝牙连不上手机，没法收款。",
    ];

    public static string Describe(DemoWorld world, string workflow, DemoCaseSubject subject) => workflow switch
    {
        "data-fee-cancellation" => string.Format(CultureInfo.InvariantCulture, world.Pick(DataFee), Yuan(subject.ClaimAmountFen ?? 0)),
        "device-replacement" => subject.Device.PhysicalDamage ? "机器不小心摔了，屏幕裂了，看不清金额。" : world.Pick(Faults),
        _ => subject.Merchant.Contract is { } contract && subject.ClaimChargedRateBp > contract.FeeRateBp
            ? $"合同约定费率{Percent(contract.FeeRateBp)}%，这个月实际按{Percent(subject.ClaimChargedRateBp.Value)}%扣的手续费，请核实并退还差额。"
            : "最近手续费好像变高了，麻烦核实一下是不是按合同费率扣的。",
    };

    public static string Yuan(long fen) => (fen / 100m).ToString("0.##", CultureInfo.InvariantCulture);

    private static string Percent(int bp) => (bp / 100m).ToString("0.00", CultureInfo.InvariantCulture);
}
