using Dapper;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;
using PosSupport.Core.Users;
using Verdict = PosSupport.Core.Users.CheckStaffSession.Verdict;

namespace PosSupport.Core.Tests.Slices;

public abstract class StaffSessionCheckTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;
    private static readonly Caller Host = Caller.System("test");

    private async Task<Verdict> CheckAsync(Guid userId, string role) => (await Fixture.SendAsync(new CheckStaffSession.Query(userId, role))).Verdict;

    [Fact]
    public async Task A_session_of_an_active_user_with_the_role_it_signed_in_with_goes_on()
    {
        var user = await Fixture.UserAsync("supervisor");

        Assert.Equal(Verdict.Valid, await CheckAsync(user, "supervisor"));
    }

    [Fact]
    public async Task A_session_ends_once_its_user_is_disabled_and_is_valid_again_for_a_new_sign_in_after_enabling()
    {
        var user = await Fixture.UserAsync();

        await Fixture.SendAsync(new SetUserDisabled.Command(user, true, Host));
        var disabled = await CheckAsync(user, "agent");
        await Fixture.SendAsync(new SetUserDisabled.Command(user, false, Host));

        Assert.Equal(Verdict.Disabled, disabled);
        Assert.Equal(Verdict.Valid, await CheckAsync(user, "agent"));
    }

    [Fact]
    public async Task A_session_signed_in_with_a_role_the_user_no_longer_has_ends()
    {
        var user = await Fixture.UserAsync();

        await Fixture.SendAsync(new ChangeUserRole.Command(user, "supervisor", Host));

        Assert.Equal(Verdict.RoleChanged, await CheckAsync(user, "agent"));
        Assert.Equal(Verdict.Valid, await CheckAsync(user, "supervisor"));
    }

    [Fact]
    public async Task A_session_ends_while_its_user_is_locked_out_and_of_an_unknown_user_at_once()
    {
        var user = await Fixture.UserAsync();
        await Fixture.WithConnectionAsync(c => c.ExecuteAsync("UPDATE users SET locked_until = @until WHERE id = @user",
            new { until = Fixture.Clock.GetUtcNow().AddMinutes(15), user }));

        var locked = await CheckAsync(user, "agent");
        Fixture.Clock.Advance(TimeSpan.FromMinutes(16));

        Assert.Equal(Verdict.LockedOut, locked);
        Assert.Equal(Verdict.Valid, await CheckAsync(user, "agent"));
        Assert.Equal(Verdict.UnknownUser, await CheckAsync(Guid.NewGuid(), "agent"));
    }
}

public sealed class StaffSessionCheckOnSqlite(SqliteSliceFixture fixture) : StaffSessionCheckTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class StaffSessionCheckOnPostgres(PostgresSliceFixture fixture) : StaffSessionCheckTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
