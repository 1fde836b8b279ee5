using System.Text.Json;
using PosSupport.Core.Cases;
using PosSupport.Core.Negotiation;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Tests.Slices;

public abstract class EscalateTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;
    private static readonly Caller Agent = Caller.Agent(Guid.NewGuid());

    private async Task<OpenCase.Result> OpenDataFeeCaseAsync(bool dataFeeClause = true)
    {
        var merchant = await Fixture.MerchantAsync(dataFeeClause: dataFeeClause);
        return await Fixture.SendAsync(new OpenCase.Command("data-fee-cancellation", merchant.MerchantId, "流量费争议", Agent,
            ClaimAmountFen: 9_900, ClaimChargedOn: new DateOnly(2026, 6, 1)));
    }

    private async Task<JsonElement> LastEscalationAsync(Guid caseId) => JsonDocument.Parse(await Fixture.ScalarAsync<string>(
        "SELECT data FROM case_events WHERE case_id = @caseId AND kind = 'escalation' ORDER BY seq DESC LIMIT 1", new { caseId })).RootElement;

    [Fact]
    public async Task An_agent_escalates_a_case_to_a_supervisor_with_the_reason_on_the_timeline()
    {
        var opened = await OpenDataFeeCaseAsync();

        var escalated = await Fixture.SendAsync(new Escalate.Command(opened.Id, Escalate.Supervisor, "商户三次来电催办", Agent, opened.Version));

        Assert.Equal(("escalated", 1, opened.Version + 1), (escalated.State, escalated.EscalationTier, escalated.Version));
        var row = await Fixture.CaseRowAsync(opened.Id);
        Assert.Equal(("escalated", 1, escalated.Version), (row.State, row.EscalationTier, row.Version));
        var escalation = await LastEscalationAsync(opened.Id);
        Assert.Equal(1, escalation.GetProperty("tier").GetInt32());
        Assert.Equal("商户三次来电催办", escalation.GetProperty("reason").GetString());
        Assert.Equal("已升级至主管", escalation.GetProperty("title").GetProperty("zhCn").GetString());
        Assert.Equal(["case-escalated", "merchant-escalated"], (await Fixture.QueryAsync<string>(
            "SELECT template FROM outbox_messages WHERE case_id = @Id AND template LIKE '%escalated'", opened)).Order());
        await Fixture.AssertTimelineContiguousAsync(opened.Id);
    }

    [Fact]
    public async Task A_merchant_threatening_a_regulator_complaint_goes_to_tier_two_and_the_open_offer_is_withdrawn()
    {
        var opened = await Fixture.DataFeeCaseInNegotiationAsync();
        await Fixture.SendAsync(new ProposeOffer.Command(opened.Id, "partial-refund", 5_000, false, Agent));

        var escalated = await Fixture.SendAsync(new Escalate.Command(opened.Id, Escalate.TierTwo, "商户称将拨打12315投诉", Agent));

        Assert.Equal(("escalated", 2), (escalated.State, escalated.EscalationTier));
        Assert.Equal(2, (await Fixture.CaseRowAsync(opened.Id)).EscalationTier);
        Assert.Equal("已升级至二线支持", (await LastEscalationAsync(opened.Id)).GetProperty("title").GetProperty("zhCn").GetString());
        Assert.Equal("withdrawn", Assert.Single(await Fixture.OffersAsync(opened.Id)).Status);
        // The offer's reminder and expiry are gone; what stays pending are SLA clocks (the case's, and the escalated step's own).
        Assert.Equal(0, await Fixture.ScalarAsync<long>(
            "SELECT COUNT(*) FROM follow_ups WHERE case_id = @Id AND status = 'pending' AND kind IN ('remind', 'fire')", opened));
    }

    [Fact]
    public async Task A_case_already_with_a_supervisor_is_raised_to_tier_two_where_it_is()
    {
        var opened = await OpenDataFeeCaseAsync();
        var first = await Fixture.SendAsync(new Escalate.Command(opened.Id, Escalate.Supervisor, "催办", Agent));

        var raised = await Fixture.SendAsync(new Escalate.Command(opened.Id, Escalate.TierTwo, "商户威胁向监管投诉", Caller.Supervisor(Guid.NewGuid()), first.Version));

        Assert.Equal(("escalated", 2, first.Version + 1), (raised.State, raised.EscalationTier, raised.Version));
        Assert.Equal(["escalation", "escalation"], (await Fixture.EventKindsAsync(opened.Id)).Where(k => k == "escalation"));
        await Fixture.AssertTimelineContiguousAsync(opened.Id);
    }

    [Fact]
    public async Task Escalating_a_case_again_to_the_tier_it_has_is_a_conflict()
    {
        var opened = await OpenDataFeeCaseAsync();
        await Fixture.SendAsync(new Escalate.Command(opened.Id, Escalate.TierTwo, "投诉", Agent));

        var error = await Assert.ThrowsAsync<ConflictException>(() => Fixture.SendAsync(new Escalate.Command(opened.Id, Escalate.Supervisor, "再次催办", Agent)));

        Assert.Equal("The case is already escalated to tier 2.", error.Message);
    }

    [Fact]
    public async Task The_system_escalates_when_an_sla_is_breached()
    {
        var opened = await OpenDataFeeCaseAsync();

        var escalated = await Fixture.SendAsync(new Escalate.Command(opened.Id, Escalate.Supervisor, "resolution SLA breached", Caller.System("sla")));

        Assert.Equal("escalated", escalated.State);
        Assert.Equal("system", await Fixture.ScalarAsync<string>(
            "SELECT actor FROM case_events WHERE case_id = @Id AND kind = 'escalation'", opened));
    }

    [Fact]
    public async Task A_chat_channel_cannot_escalate()
    {
        var opened = await OpenDataFeeCaseAsync();

        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new Escalate.Command(opened.Id, 1, "投诉", Caller.Channel(Guid.NewGuid()))));
    }

    [Fact]
    public async Task A_resolved_case_cannot_be_escalated_and_keeps_its_tier()
    {
        var opened = await OpenDataFeeCaseAsync(dataFeeClause: false);
        await Fixture.AcceptAllEvidenceAsync(opened.Id);
        await Fixture.FireAsync(opened.Id, "evidence-complete", Agent);
        await Fixture.FireAsync(opened.Id, "assess", Agent);

        var error = await Assert.ThrowsAsync<TransitionNotAllowedException>(() => Fixture.SendAsync(new Escalate.Command(opened.Id, 2, "投诉", Agent)));

        Assert.Equal("escalate", error.Trigger);
        Assert.Equal(0, (await Fixture.CaseRowAsync(opened.Id)).EscalationTier);
    }

    [Fact]
    public async Task An_escalation_needs_a_reason_and_a_tier_of_one_or_two()
    {
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => Fixture.SendAsync(new Escalate.Command(Guid.NewGuid(), 3, "", Agent)));

        Assert.Equal(["Reason", "Tier"], error.Errors.Keys.Order());
    }

    [Fact]
    public async Task Escalating_on_a_stale_version_is_a_conflict_and_changes_nothing()
    {
        var opened = await OpenDataFeeCaseAsync();

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            Fixture.SendAsync(new Escalate.Command(opened.Id, 2, "投诉", Agent, ExpectedVersion: opened.Version - 1)));

        var row = await Fixture.CaseRowAsync(opened.Id);
        Assert.Equal(("collecting-evidence", 0, opened.Version), (row.State, row.EscalationTier, row.Version));
    }

    [Fact]
    public async Task Raising_the_tier_on_a_stale_version_is_a_conflict_too()
    {
        var opened = await OpenDataFeeCaseAsync();
        var first = await Fixture.SendAsync(new Escalate.Command(opened.Id, 1, "催办", Agent));

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            Fixture.SendAsync(new Escalate.Command(opened.Id, 2, "投诉", Agent, ExpectedVersion: first.Version - 1)));

        Assert.Equal(1, (await Fixture.CaseRowAsync(opened.Id)).EscalationTier);
    }

    [Fact]
    public async Task Escalating_an_unknown_case_is_not_found()
    {
        await Assert.ThrowsAsync<NotFoundException>(() => Fixture.SendAsync(new Escalate.Command(Guid.NewGuid(), 1, "催办", Agent)));
    }
}

public sealed class EscalateOnSqlite(SqliteSliceFixture fixture) : EscalateTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class EscalateOnPostgres(PostgresSliceFixture fixture) : EscalateTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
