using BenchmarkDotNet.Attributes;
using PosSupport.Core.Workflows;

namespace PosSupport.Benchmarks;

/// <summary>
/// What every case command pays for the workflow engine: listing an agent's actions and firing one. The case
/// is a data-fee dispute in <c>negotiating</c> (an offer guarded by the agent's authority, plus the shared
/// escalate/withdraw/switch triggers), the state an agent works in most.
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private const string Trigger = "propose-offer";

    private WorkflowEngine _engine = null!;
    private CaseSnapshot _snapshot = null!;
    private readonly Dictionary<string, string> _inputs = new(StringComparer.Ordinal)
    {
        ["kind"] = "partial-refund",
        ["amount"] = "5000",
    };

    [GlobalSetup]
    public void Setup()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "workflows");
        var loaded = WorkflowLoader.LoadDirectory(directory);
        if (!loaded.Succeeded)
            throw new InvalidOperationException($"Workflows in {directory} do not load:{Environment.NewLine}{string.Join(Environment.NewLine, loaded.Errors)}");

        _engine = new WorkflowEngine(loaded.Catalog!);
        _snapshot = new CaseSnapshot(
            WorkflowId: "data-fee-cancellation",
            WorkflowVersion: 1,
            State: "negotiating",
            Version: 7,
            Now: new DateTimeOffset(2026, 3, 2, 9, 30, 0, TimeSpan.FromHours(8)),
            Facts: new CaseFacts
            {
                AcceptedEvidence = new HashSet<string>(StringComparer.Ordinal) { "business-licence", "transaction-records", "settlement-statement" },
                Contract = new ContractFacts { HasDataFeeClause = true, DataFeeAmountFen = 9_900, FeeNoticeGiven = true, RefundWindowDays = 30 },
                DataFeeChargedOn = new DateOnly(2025, 11, 15),
                AgentOfferAuthorityFen = 10_000,
            });

        // A benchmark of a blocked call would measure the wrong path: fail fast if the case cannot move.
        var fired = _engine.Fire(_snapshot, Actor.Agent, Trigger, _inputs);
        if (!fired.Succeeded)
            throw new InvalidOperationException($"{Trigger} is blocked: {string.Join("; ", fired.Reasons.Select(r => r.Text.En))}");
        var actions = _engine.AllowedActions(_snapshot, Actor.Agent);
        if (actions.Count < 3)
            throw new InvalidOperationException($"negotiating offers only {actions.Count} action(s) to an agent; expected several.");
    }

    [Benchmark(Description = "AllowedActions + Fire")]
    public (IReadOnlyList<AllowedAction> Actions, FireResult Fired) ListActionsThenFire() =>
        (_engine.AllowedActions(_snapshot, Actor.Agent), _engine.Fire(_snapshot, Actor.Agent, Trigger, _inputs));

    [Benchmark(Description = "AllowedActions")]
    public IReadOnlyList<AllowedAction> AllowedActions() => _engine.AllowedActions(_snapshot, Actor.Agent);

    [Benchmark(Description = "Fire")]
    public FireResult Fire() => _engine.Fire(_snapshot, Actor.Agent, Trigger, _inputs);
}
