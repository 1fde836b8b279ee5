using Dapper;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using PosSupport.Core.Cases;
using PosSupport.Core.Data;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Workflows;

namespace PosSupport.Core.Tests.Support;

/// <summary>Cases brought, through the real slices, to where a negotiation, escalation or assignment test starts.</summary>
public static class TestDataNegotiation
{
    public static readonly IReadOnlyDictionary<string, string> NoInputs = new Dictionary<string, string>();

    public sealed record OpenedCase(Guid Id, string Number, TestData.MerchantSetup Merchant, Caller Channel);

    /// <summary>Stands in for ReviewEvidence (another slice): every evidence item of the case is accepted.</summary>
    public static Task AcceptAllEvidenceAsync(this SliceFixture fixture, Guid caseId) =>
        fixture.WithConnectionAsync(c => c.ExecuteAsync("UPDATE evidence_items SET status = 'accepted' WHERE case_id = @caseId", new { caseId }));

    public static Task<FireTrigger.Result> FireAsync(this SliceFixture fixture, Guid caseId, string trigger, Caller caller,
        params (string Name, string Value)[] inputs) =>
        fixture.SendAsync(new FireTrigger.Command(caseId, trigger, inputs.ToDictionary(i => i.Name, i => i.Value, StringComparer.Ordinal), caller));

    /// <summary>
    /// A data-fee case in <c>negotiating</c>: the contract has a clause and the merchant was notified, the charge (19,900 fen by
    /// default) is outside the 30-day refund window and no waiver applies, so the assessment leaves it to negotiation.
    /// </summary>
    public static async Task<OpenedCase> DataFeeCaseInNegotiationAsync(this SliceFixture fixture, long chargedFen = 19_900)
    {
        var merchant = await fixture.MerchantAsync(refundWindowDays: 30);
        var channel = await fixture.ChannelAsync();
        var opened = await fixture.SendAsync(new OpenCase.Command("data-fee-cancellation", merchant.MerchantId, "流量费被扣了，我要求退款", channel,
            ClaimAmountFen: chargedFen, ClaimChargedOn: new DateOnly(2026, 6, 1), ConversationId: "conv-" + Guid.NewGuid().ToString("N")[..8]));
        var agent = Caller.Agent(Guid.NewGuid());
        await fixture.AcceptAllEvidenceAsync(opened.Id);
        await fixture.FireAsync(opened.Id, "evidence-complete", agent);
        var assessed = await fixture.FireAsync(opened.Id, "assess", agent);
        Assert.Equal("negotiating", assessed.State);
        return new OpenedCase(opened.Id, opened.Number, merchant, channel);
    }

    /// <summary>
    /// A device case in <c>negotiating</c>: the device (activated 2025-06-01, 12 months' warranty) is out of warranty, the
    /// contract quotes a replacement fee of 19,900 fen, and the merchant disputed it.
    /// </summary>
    public static async Task<OpenedCase> DeviceCaseInNegotiationAsync(this SliceFixture fixture)
    {
        var merchant = await fixture.MerchantAsync(activatedOn: new DateOnly(2025, 6, 1), warrantyMonths: 12);
        var channel = await fixture.ChannelAsync();
        var opened = await fixture.SendAsync(new OpenCase.Command("device-replacement", merchant.MerchantId, "刷卡一直提示交易失败", channel,
            DeviceSerial: merchant.DeviceSerial));
        var agent = Caller.Agent(Guid.NewGuid());
        await fixture.FireAsync(opened.Id, "start-troubleshooting", agent);
        await fixture.FireAsync(opened.Id, "still-faulty", channel);
        await fixture.AcceptAllEvidenceAsync(opened.Id);
        await fixture.FireAsync(opened.Id, "evidence-complete", agent);
        await fixture.FireAsync(opened.Id, "decide", agent);
        var disputed = await fixture.FireAsync(opened.Id, "dispute-fee", channel, ("reason", "太贵了"));
        Assert.Equal("negotiating", disputed.State);
        return new OpenedCase(opened.Id, opened.Number, merchant, channel);
    }

    public static Task<CaseRecord> CaseRowAsync(this SliceFixture fixture, Guid caseId) =>
        fixture.WithConnectionAsync(c => c.QuerySingleAsync<CaseRecord>($"SELECT {CaseRecord.Columns} FROM cases WHERE id = @caseId", new { caseId }));

    public static Task<List<OfferRecord>> OffersAsync(this SliceFixture fixture, Guid caseId) =>
        fixture.QueryAsync<OfferRecord>($"SELECT {OfferRecord.Columns} FROM offers WHERE case_id = @caseId ORDER BY proposed_at, id", new { caseId });

    public static Task<List<string>> EventKindsAsync(this SliceFixture fixture, Guid caseId) =>
        fixture.QueryAsync<string>("SELECT kind FROM case_events WHERE case_id = @caseId ORDER BY seq", new { caseId });

    /// <summary>Agents already in the database go away, so a test's own agents are the only ones assignment can pick.</summary>
    public static Task SendEveryoneAwayAsync(this SliceFixture fixture) =>
        fixture.WithConnectionAsync(c => c.ExecuteAsync("UPDATE users SET away = TRUE"));
}

/// <summary>
/// Another process on the fixture's database: its own services (connection pools, SQLite write gate, options), the same rows.
/// Stands for a restart, or for a deployment configured differently. Use it while the fixture is idle.
/// </summary>
public sealed class AnotherHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private AnotherHost(ServiceProvider services) => _services = services;

    public static AnotherHost Start(SliceFixture fixture, Action<PosSupportOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        var options = new PosSupportOptions
        {
            DataDirectory = fixture.Options.DataDirectory, Database = fixture.Options.Database, Evidence = fixture.Options.Evidence,
            AgentOfferAuthorityFen = fixture.Options.AgentOfferAuthorityFen, AutoAssign = fixture.Options.AutoAssign,
        };
        configure?.Invoke(options);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(fixture.Clock);
        services.AddPosSupportCore(options, RandomCases.ShippedWorkflows);
        return new AnotherHost(services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true }));
    }

    public async Task<T> SendAsync<T>(IRequest<T> request)
    {
        await using var scope = _services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
