using Dapper;
using PosSupport.Core.Cases;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.Slices;

public abstract class LinkedCaseTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;
    private static readonly Caller Agent = Caller.Agent(Guid.NewGuid());

    private async Task<(OpenCase.Result Case, TestData.MerchantSetup Merchant, Caller Channel)> OpenDataFeeCaseAsync()
    {
        var merchant = await Fixture.MerchantAsync();
        var channel = await Fixture.ChannelAsync();
        var opened = await Fixture.SendAsync(new OpenCase.Command("data-fee-cancellation", merchant.MerchantId, "流量费争议，想换一台机器", channel,
            ClaimAmountFen: 9_900, ClaimChargedOn: new DateOnly(2026, 6, 1), ConversationId: "conv-switch"));
        return (opened, merchant, channel);
    }

    private Task<string> AddDeviceAsync(Guid? merchantId)
    {
        var serial = "SN" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        return Fixture.WithConnectionAsync(async c =>
        {
            await c.ExecuteAsync("""
                INSERT INTO devices (id, serial_number, model, status, activated_on, merchant_id, physical_damage)
                VALUES (@id, @serial, 'countertop', 'active', @activatedOn, @merchantId, FALSE)
                """, new { id = Guid.NewGuid(), serial, activatedOn = new DateOnly(2026, 1, 5), merchantId });
            return serial;
        });
    }

    private Task<List<string>> MerchantTemplatesAsync(Guid caseId) =>
        Fixture.QueryAsync<string>("SELECT template FROM outbox_messages WHERE case_id = @caseId AND recipient = 'merchant' ORDER BY created_at", new { caseId });

    [Fact]
    public async Task A_merchant_switching_terminals_closes_the_data_fee_case_and_opens_a_device_case_linked_both_ways()
    {
        var (opened, merchant, channel) = await OpenDataFeeCaseAsync();

        var switched = await Fixture.FireAsync(opened.Id, "switch-pos", channel);

        Assert.Equal(("switched-to-device-case", "withdrawn"), (switched.State, switched.Outcome));
        var source = await Fixture.CaseRowAsync(opened.Id);
        var device = await Fixture.CaseRowAsync(source.LinkedCaseId!.Value);
        Assert.Equal(("device-replacement", "intake", opened.Id), (device.WorkflowId, device.State, device.LinkedCaseId));
        Assert.Equal((merchant.MerchantId, (Guid?)merchant.DeviceId, "conv-switch"), (device.MerchantId, device.DeviceId, device.ConversationId));
        Assert.Equal("linked-case-opened", (await Fixture.EventKindsAsync(opened.Id)).Single(k => k.StartsWith("linked", StringComparison.Ordinal)));
        Assert.Equal(["opened", "message-queued", "linked-from-case"], await Fixture.EventKindsAsync(device.Id));
        Assert.Equal("switched-to-device-case", (await MerchantTemplatesAsync(opened.Id))[^1]);
        Assert.Equal(["case-received"], await MerchantTemplatesAsync(device.Id));
        var seen = await Fixture.SendAsync(new GetCase.Query(device.Id, channel));
        Assert.Equal(opened.Id, seen.Case.LinkedCaseId);
        await Fixture.AssertTimelineContiguousAsync(opened.Id);
        await Fixture.AssertTimelineContiguousAsync(device.Id);
    }

    [Fact]
    public async Task An_agent_opens_a_linked_device_case_while_the_data_fee_dispute_carries_on()
    {
        var (opened, merchant, channel) = await OpenDataFeeCaseAsync();

        var linked = await Fixture.SendAsync(new OpenLinkedCase.Command(opened.Id, "商户反映机具同时无法联网", Agent, merchant.DeviceSerial, "high", opened.Version));

        Assert.Equal((opened.Version + 1, "intake"), (linked.Version, linked.LinkedState));
        Assert.StartsWith("DR-2026-", linked.LinkedNumber, StringComparison.Ordinal);
        var source = await Fixture.CaseRowAsync(opened.Id);
        Assert.Equal(("collecting-evidence", (Guid?)linked.LinkedCaseId, linked.Version), (source.State, source.LinkedCaseId, source.Version));
        var device = await Fixture.CaseRowAsync(linked.LinkedCaseId);
        Assert.Equal((opened.Id, (Guid?)merchant.DeviceId, "high", channel.ChannelClientId), (device.LinkedCaseId!.Value, device.DeviceId, device.Priority, device.ChannelClientId));
        Assert.Equal("linked-case-opened", (await Fixture.EventKindsAsync(opened.Id))[^1]);
        Assert.Contains("linked-from-case", await Fixture.EventKindsAsync(device.Id));
        await Fixture.AssertTimelineContiguousAsync(opened.Id);
        await Fixture.AssertTimelineContiguousAsync(device.Id);
    }

    [Fact]
    public async Task Without_a_serial_the_linked_case_is_about_the_merchants_only_active_device()
    {
        var (opened, merchant, _) = await OpenDataFeeCaseAsync();

        var linked = await Fixture.SendAsync(new OpenLinkedCase.Command(opened.Id, "换机", Agent));

        Assert.Equal(merchant.DeviceId, (await Fixture.CaseRowAsync(linked.LinkedCaseId)).DeviceId);
    }

    [Fact]
    public async Task A_merchant_with_several_devices_must_name_the_one_to_replace()
    {
        var (opened, merchant, _) = await OpenDataFeeCaseAsync();
        var second = await AddDeviceAsync(merchant.MerchantId);

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => Fixture.SendAsync(new OpenLinkedCase.Command(opened.Id, "换机", Agent)));
        var linked = await Fixture.SendAsync(new OpenLinkedCase.Command(opened.Id, "换机", Agent, second));

        Assert.Equal(["DeviceSerial"], error.Errors.Keys);
        Assert.Equal("countertop", await Fixture.ScalarAsync<string>(
            "SELECT d.model FROM cases c JOIN devices d ON d.id = c.device_id WHERE c.id = @LinkedCaseId", linked));
    }

    [Fact]
    public async Task The_device_must_exist_and_be_the_merchants()
    {
        var (opened, _, _) = await OpenDataFeeCaseAsync();
        var someoneElses = await AddDeviceAsync((await Fixture.MerchantAsync()).MerchantId);

        var unknown = await Assert.ThrowsAsync<ValidationFailedException>(() => Fixture.SendAsync(new OpenLinkedCase.Command(opened.Id, "换机", Agent, "NO-SUCH-SN")));
        var foreign = await Assert.ThrowsAsync<ValidationFailedException>(() => Fixture.SendAsync(new OpenLinkedCase.Command(opened.Id, "换机", Agent, someoneElses)));

        Assert.Equal("No device has this serial number.", Assert.Single(unknown.Errors["DeviceSerial"]));
        Assert.Equal("This device is not bound to the merchant.", Assert.Single(foreign.Errors["DeviceSerial"]));
        Assert.Null((await Fixture.CaseRowAsync(opened.Id)).LinkedCaseId);
    }

    [Fact]
    public async Task A_data_fee_case_is_linked_to_one_device_case_only()
    {
        var (opened, _, _) = await OpenDataFeeCaseAsync();
        var first = await Fixture.SendAsync(new OpenLinkedCase.Command(opened.Id, "换机", Agent));

        var error = await Assert.ThrowsAsync<ConflictException>(() => Fixture.SendAsync(new OpenLinkedCase.Command(opened.Id, "再换一台", Agent)));

        Assert.Contains(first.LinkedNumber, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_a_data_fee_case_opens_a_linked_device_case()
    {
        var merchant = await Fixture.MerchantAsync();
        var deviceCase = await Fixture.SendAsync(new OpenCase.Command("device-replacement", merchant.MerchantId, "黑屏", Agent, DeviceSerial: merchant.DeviceSerial));

        await Assert.ThrowsAsync<ConflictException>(() => Fixture.SendAsync(new OpenLinkedCase.Command(deviceCase.Id, "换机", Agent)));
    }

    [Fact]
    public async Task A_closed_data_fee_case_opens_no_linked_case()
    {
        var (opened, _, channel) = await OpenDataFeeCaseAsync();
        await Fixture.FireAsync(opened.Id, "withdraw", channel);

        await Assert.ThrowsAsync<ConflictException>(() => Fixture.SendAsync(new OpenLinkedCase.Command(opened.Id, "换机", Agent)));
    }

    [Fact]
    public async Task Only_staff_open_linked_cases()
    {
        var (opened, _, channel) = await OpenDataFeeCaseAsync();

        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new OpenLinkedCase.Command(opened.Id, "换机", channel)));
    }

    [Fact]
    public async Task Linking_on_a_stale_version_is_a_conflict_and_opens_nothing()
    {
        var (opened, merchant, _) = await OpenDataFeeCaseAsync();

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            Fixture.SendAsync(new OpenLinkedCase.Command(opened.Id, "换机", Agent, ExpectedVersion: opened.Version - 1)));

        Assert.Equal(0, await Fixture.ScalarAsync<long>(
            "SELECT COUNT(*) FROM cases WHERE merchant_id = @MerchantId AND workflow_id = 'device-replacement'", merchant));
    }

    [Fact]
    public async Task A_linked_case_needs_a_description_and_a_known_priority()
    {
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            Fixture.SendAsync(new OpenLinkedCase.Command(Guid.NewGuid(), "", Agent, Priority: "asap")));

        Assert.Equal(["Description", "Priority"], error.Errors.Keys.Order());
    }

    [Fact]
    public async Task Linking_from_an_unknown_case_is_not_found()
    {
        await Assert.ThrowsAsync<NotFoundException>(() => Fixture.SendAsync(new OpenLinkedCase.Command(Guid.NewGuid(), "换机", Agent)));
    }
}

public sealed class LinkedCaseOnSqlite(SqliteSliceFixture fixture) : LinkedCaseTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class LinkedCaseOnPostgres(PostgresSliceFixture fixture) : LinkedCaseTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
