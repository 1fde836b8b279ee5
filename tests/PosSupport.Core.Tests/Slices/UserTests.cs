using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;
using PosSupport.Core.Users;

namespace PosSupport.Core.Tests.Slices;

public abstract class UserTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;

    private static readonly Caller Admin = Caller.System("cli:users-create");

    private async Task<string> CreateAsync(string role = "agent", string password = "correct horse battery")
    {
        var login = TestDataQueries.Unique("user.").ToLowerInvariant();
        await Fixture.SendAsync(new CreateUser.Command(login, "测试用户", role, password, Admin, role == "agent" ? "billing" : null));
        return login;
    }

    [Fact]
    public async Task A_created_user_signs_in_with_their_password_and_only_its_hash_is_stored()
    {
        var login = await CreateAsync("supervisor");

        var result = await Fixture.SendAsync(new SignIn.Command(login, "correct horse battery"));

        Assert.Equal(SignIn.Outcome.SignedIn, result.Outcome);
        Assert.Equal(login, result.User!.Login);
        Assert.Equal("supervisor", result.User.Role);
        Assert.Equal("测试用户", result.User.DisplayName);
        var stored = await Fixture.ScalarAsync<string>("SELECT password_hash FROM users WHERE login = @login", new { login });
        Assert.DoesNotContain("correct horse", stored, StringComparison.Ordinal);
        Assert.True(stored.Length > 40);
    }

    [Fact]
    public async Task Wrong_passwords_unknown_logins_and_users_without_a_password_fail_alike()
    {
        var login = await CreateAsync();
        var withoutPassword = await Fixture.UserAsync();
        var noPasswordLogin = await Fixture.ScalarAsync<string>("SELECT login FROM users WHERE id = @withoutPassword", new { withoutPassword });

        Assert.Equal(SignIn.Outcome.Failed, (await Fixture.SendAsync(new SignIn.Command(login, "wrong password"))).Outcome);
        Assert.Equal(SignIn.Outcome.Failed, (await Fixture.SendAsync(new SignIn.Command("nobody." + login, "correct horse battery"))).Outcome);
        Assert.Equal(SignIn.Outcome.Failed, (await Fixture.SendAsync(new SignIn.Command(noPasswordLogin, "anything at all"))).Outcome);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_for_fifteen_minutes_even_against_the_right_one()
    {
        var login = await CreateAsync();
        for (var i = 1; i < SignIn.MaxFailures; i++)
            Assert.Equal(SignIn.Outcome.Failed, (await Fixture.SendAsync(new SignIn.Command(login, $"guess {i}"))).Outcome);

        var locked = await Fixture.SendAsync(new SignIn.Command(login, "guess 5"));
        Assert.Equal(SignIn.Outcome.LockedOut, locked.Outcome);
        Assert.Equal(Fixture.Clock.GetUtcNow() + SignIn.LockOut, locked.LockedUntil);
        Assert.Equal(SignIn.Outcome.LockedOut, (await Fixture.SendAsync(new SignIn.Command(login, "correct horse battery"))).Outcome);

        Fixture.Clock.Advance(SignIn.LockOut + TimeSpan.FromSeconds(1));
        Assert.Equal(SignIn.Outcome.SignedIn, (await Fixture.SendAsync(new SignIn.Command(login, "correct horse battery"))).Outcome);
    }

    [Fact]
    public async Task A_success_starts_the_count_of_failures_again()
    {
        var login = await CreateAsync();
        for (var i = 1; i < SignIn.MaxFailures; i++) await Fixture.SendAsync(new SignIn.Command(login, $"guess {i}"));
        Assert.Equal(SignIn.Outcome.SignedIn, (await Fixture.SendAsync(new SignIn.Command(login, "correct horse battery"))).Outcome);

        for (var i = 1; i < SignIn.MaxFailures; i++)
            Assert.Equal(SignIn.Outcome.Failed, (await Fixture.SendAsync(new SignIn.Command(login, $"again {i}"))).Outcome);
    }

    [Fact]
    public async Task Logins_are_unique_and_passwords_and_roles_are_checked()
    {
        var login = await CreateAsync();
        await Assert.ThrowsAsync<ConflictException>(() => Fixture.SendAsync(new CreateUser.Command(login, "重名", "agent", "another long password", Admin)));

        var invalid = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            Fixture.SendAsync(new CreateUser.Command("Bad Login", "", "owner", "short", Admin)));
        Assert.Equal(["DisplayName", "Login", "Password", "Role"], invalid.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Staff_cannot_create_users()
    {
        foreach (var staff in new[] { Caller.Agent(Guid.NewGuid()), Caller.Supervisor(Guid.NewGuid()) })
            await Assert.ThrowsAsync<ForbiddenException>(() =>
                Fixture.SendAsync(new CreateUser.Command(TestDataQueries.Unique("x.").ToLowerInvariant(), "代理", "admin", "long enough password", staff)));
    }

    [Fact]
    public async Task The_staff_list_names_agents_and_supervisors_but_not_admins()
    {
        var agent = await CreateAsync("agent");
        var supervisor = await CreateAsync("supervisor");
        var admin = await CreateAsync("admin");

        var staff = await Fixture.SendAsync(new ListStaff.Query(Caller.Agent(Guid.NewGuid())));

        Assert.Contains(staff, s => s.Login == agent && s.Role == "agent" && s.SkillGroup == "billing");
        Assert.Contains(staff, s => s.Login == supervisor && s.Role == "supervisor");
        Assert.DoesNotContain(staff, s => s.Login == admin);
        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new ListStaff.Query(Caller.Channel(Guid.NewGuid()))));
    }
}

public sealed class UsersOnSqlite(SqliteSliceFixture fixture) : UserTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class UsersOnPostgres(PostgresSliceFixture fixture) : UserTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
