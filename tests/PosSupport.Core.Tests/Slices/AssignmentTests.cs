using PosSupport.Core.Cases;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.Slices;

public abstract class AssignmentTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;

    private async Task<OpenCase.Command> DataFeeCaseAsync()
    {
        var merchant = await Fixture.MerchantAsync();
        return new OpenCase.Command("data-fee-cancellation", merchant.MerchantId, "流量费争议", Caller.Agent(Guid.NewGuid()),
            ClaimAmountFen: 9_900, ClaimChargedOn: new DateOnly(2026, 6, 1));
    }

    private async Task<OpenCase.Command> DeviceCaseAsync()
    {
        var merchant = await Fixture.MerchantAsync();
        return new OpenCase.Command("device-replacement", merchant.MerchantId, "机具无法开机", Caller.Agent(Guid.NewGuid()), DeviceSerial: merchant.DeviceSerial);
    }

    /// <summary>Agents of a fresh shift, in the order round-robin takes them (by id).</summary>
    private async Task<List<Guid>> ShiftAsync(int count, string group)
    {
        await Fixture.SendEveryoneAwayAsync();
        var agents = new List<Guid>();
        for (var i = 0; i < count; i++) agents.Add(await Fixture.UserAsync("agent", group));
        return agents.Order().ToList();
    }

    [Fact]
    public async Task New_cases_go_round_robin_to_the_agents_of_their_skill_group()
    {
        var billing = await ShiftAsync(3, "billing");
        var device = await Fixture.UserAsync("agent", "device");
        var supervisor = await Fixture.UserAsync("supervisor", "billing");

        var assignees = new List<Guid?>();
        for (var i = 0; i < 4; i++) assignees.Add((await Fixture.SendAsync(await DataFeeCaseAsync())).AssigneeId);
        var deviceCase = await Fixture.SendAsync(await DeviceCaseAsync());

        var start = billing.IndexOf(assignees[0]!.Value);
        Assert.Equal(Enumerable.Range(start, 4).Select(i => (Guid?)billing[i % 3]), assignees);
        Assert.Equal(device, deviceCase.AssigneeId);
        Assert.DoesNotContain((Guid?)supervisor, assignees);
    }

    [Fact]
    public async Task Round_robin_skips_agents_marked_away()
    {
        var agents = await ShiftAsync(3, "billing");
        await Fixture.WithConnectionAsync(c => Dapper.SqlMapper.ExecuteAsync(c, "UPDATE users SET away = TRUE WHERE id = @id", new { id = agents[1] }));

        var assignees = new List<Guid?>();
        for (var i = 0; i < 4; i++) assignees.Add((await Fixture.SendAsync(await DataFeeCaseAsync())).AssigneeId);

        Assert.DoesNotContain((Guid?)agents[1], assignees);
        Assert.Equal(2, assignees.Distinct().Count());
        Assert.All(assignees.Zip(assignees.Skip(1)), pair => Assert.NotEqual(pair.First, pair.Second));
    }

    [Fact]
    public async Task Round_robin_carries_on_where_it_stopped_after_a_restart()
    {
        var agents = await ShiftAsync(3, "device");
        var before = (await Fixture.SendAsync(await DeviceCaseAsync())).AssigneeId!.Value;

        var command = await DeviceCaseAsync();
        await using var restarted = AnotherHost.Start(Fixture);
        var after = (await restarted.SendAsync(command)).AssigneeId;

        Assert.Equal(agents[(agents.IndexOf(before) + 1) % 3], after);
    }

    [Fact]
    public async Task With_automatic_assignment_off_new_cases_wait_unassigned()
    {
        await ShiftAsync(2, "billing");
        var command = await DataFeeCaseAsync();
        await using var host = AnotherHost.Start(Fixture, options => options.AutoAssign = false);

        var opened = await host.SendAsync(command);

        Assert.Null(opened.AssigneeId);
        Assert.Null((await Fixture.CaseRowAsync(opened.Id)).AssigneeId);
    }

    [Fact]
    public async Task Without_an_agent_on_duty_a_new_case_waits_unassigned()
    {
        await ShiftAsync(0, "billing");

        Assert.Null((await Fixture.SendAsync(await DataFeeCaseAsync())).AssigneeId);
    }

    [Fact]
    public async Task A_supervisor_reassigns_a_case_and_the_timeline_says_so()
    {
        await ShiftAsync(1, "billing");
        var opened = await Fixture.SendAsync(await DataFeeCaseAsync());
        var colleague = await Fixture.UserAsync("agent", "billing", away: true);

        var assigned = await Fixture.SendAsync(new Assign.Command(opened.Id, colleague, Caller.Supervisor(Guid.NewGuid()), opened.Version));

        Assert.Equal((colleague, opened.Version + 1), (assigned.AssigneeId, assigned.Version));
        var row = await Fixture.CaseRowAsync(opened.Id);
        Assert.Equal((colleague, assigned.Version), (row.AssigneeId, row.Version));
        Assert.Equal("assigned", (await Fixture.EventKindsAsync(opened.Id))[^1]);
        await Fixture.AssertTimelineContiguousAsync(opened.Id);
    }

    [Fact]
    public async Task An_agent_hands_a_case_back_to_the_unassigned_queue()
    {
        await ShiftAsync(1, "billing");
        var opened = await Fixture.SendAsync(await DataFeeCaseAsync());

        var unassigned = await Fixture.SendAsync(new Assign.Command(opened.Id, null, Caller.Agent(opened.AssigneeId!.Value)));

        Assert.Null(unassigned.AssigneeId);
        Assert.Null((await Fixture.CaseRowAsync(opened.Id)).AssigneeId);
        Assert.Equal("unassigned", (await Fixture.EventKindsAsync(opened.Id))[^1]);
    }

    [Fact]
    public async Task Assigning_a_case_to_whoever_has_it_changes_nothing()
    {
        await ShiftAsync(1, "billing");
        var opened = await Fixture.SendAsync(await DataFeeCaseAsync());

        var again = await Fixture.SendAsync(new Assign.Command(opened.Id, opened.AssigneeId, Caller.Agent(Guid.NewGuid())));

        Assert.Equal(opened.Version, again.Version);
        Assert.DoesNotContain("assigned", await Fixture.EventKindsAsync(opened.Id));
    }

    [Fact]
    public async Task A_case_goes_only_to_an_existing_agent_or_supervisor()
    {
        var opened = await Fixture.SendAsync(await DataFeeCaseAsync());
        var admin = await Fixture.UserAsync("admin", skillGroup: null);
        var staff = Caller.Supervisor(Guid.NewGuid());

        var unknown = await Assert.ThrowsAsync<NotFoundException>(() => Fixture.SendAsync(new Assign.Command(opened.Id, Guid.NewGuid(), staff)));
        var notStaff = await Assert.ThrowsAsync<ValidationFailedException>(() => Fixture.SendAsync(new Assign.Command(opened.Id, admin, staff)));

        Assert.Equal("User", unknown.What);
        Assert.Equal(["AssigneeId"], notStaff.Errors.Keys);
        Assert.Equal(opened.Version, (await Fixture.CaseRowAsync(opened.Id)).Version);
    }

    [Fact]
    public async Task Only_staff_assign_cases()
    {
        var opened = await Fixture.SendAsync(await DataFeeCaseAsync());
        var agent = await Fixture.UserAsync("agent", "billing");

        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new Assign.Command(opened.Id, agent, Caller.Channel(Guid.NewGuid()))));
        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new Assign.Command(opened.Id, agent, Caller.System("job"))));
    }

    [Fact]
    public async Task Assigning_on_a_stale_version_is_a_conflict()
    {
        var opened = await Fixture.SendAsync(await DataFeeCaseAsync());
        var agent = await Fixture.UserAsync("agent", "billing");

        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            Fixture.SendAsync(new Assign.Command(opened.Id, agent, Caller.Supervisor(Guid.NewGuid()), opened.Version - 1)));

        Assert.Equal(opened.Version, conflict.CurrentVersion);
    }

    [Fact]
    public async Task A_closed_case_is_not_reassigned()
    {
        var opened = await Fixture.SendAsync(await DataFeeCaseAsync());
        await Fixture.FireAsync(opened.Id, "withdraw", Caller.Agent(Guid.NewGuid()));
        var agent = await Fixture.UserAsync("agent", "billing");

        await Assert.ThrowsAsync<ConflictException>(() => Fixture.SendAsync(new Assign.Command(opened.Id, agent, Caller.Supervisor(Guid.NewGuid()))));
    }

    [Fact]
    public async Task Assigning_an_unknown_case_is_not_found()
    {
        var error = await Assert.ThrowsAsync<NotFoundException>(() => Fixture.SendAsync(new Assign.Command(Guid.NewGuid(), null, Caller.Agent(Guid.NewGuid()))));
        Assert.Equal("Case", error.What);
    }
}

public sealed class AssignmentOnSqlite(SqliteSliceFixture fixture) : AssignmentTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class AssignmentOnPostgres(PostgresSliceFixture fixture) : AssignmentTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
