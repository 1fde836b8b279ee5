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

    [Fact]
    public async Task An_admin_creates_a_user_who_then_signs_in_and_the_list_shows_when()
    {
        var admin = Caller.Admin(Guid.NewGuid());
        var login = TestDataQueries.Unique("made.").ToLowerInvariant();
        var created = await Fixture.SendAsync(new CreateUser.Command(login, "新客服", "agent", "long enough password", admin, "device"));
        Assert.Null((await Fixture.SendAsync(new ListUsers.Query(admin))).Single(u => u.Id == created.Id).LastSignInAt);

        Assert.Equal(SignIn.Outcome.SignedIn, (await Fixture.SendAsync(new SignIn.Command(login, "long enough password"))).Outcome);

        var listed = (await Fixture.SendAsync(new ListUsers.Query(admin))).Single(u => u.Id == created.Id);
        Assert.Equal((login, "新客服", "agent", "device"), (listed.Login, listed.DisplayName, listed.Role, listed.SkillGroup));
        Assert.Equal(Fixture.Clock.GetUtcNow(), listed.LastSignInAt);
        Assert.Null(listed.DisabledAt);
    }

    [Fact]
    public async Task A_disabled_user_cannot_sign_in_or_be_given_cases_until_enabled_again()
    {
        var admin = Caller.Admin(Guid.NewGuid());
        var login = await CreateAsync();
        var id = await Fixture.ScalarAsync<Guid>("SELECT id FROM users WHERE login = @login", new { login });

        var disabled = await Fixture.SendAsync(new SetUserDisabled.Command(id, true, admin));

        Assert.Equal(Fixture.Clock.GetUtcNow(), disabled.DisabledAt);
        Assert.Equal(SignIn.Outcome.Failed, (await Fixture.SendAsync(new SignIn.Command(login, "correct horse battery"))).Outcome);
        Assert.DoesNotContain(await Fixture.SendAsync(new ListStaff.Query(Caller.Agent(Guid.NewGuid()))), s => s.Id == id);
        Assert.NotNull((await Fixture.SendAsync(new ListUsers.Query(admin))).Single(u => u.Id == id).DisabledAt);

        await Fixture.SendAsync(new SetUserDisabled.Command(id, false, admin));

        Assert.Equal(SignIn.Outcome.SignedIn, (await Fixture.SendAsync(new SignIn.Command(login, "correct horse battery"))).Outcome);
        Assert.Contains(await Fixture.SendAsync(new ListStaff.Query(Caller.Agent(Guid.NewGuid()))), s => s.Id == id);
    }

    [Fact]
    public async Task An_admin_unlocks_a_locked_out_user_who_then_signs_in_at_once()
    {
        var admin = Caller.Admin(Guid.NewGuid());
        var login = await CreateAsync();
        var id = await Fixture.ScalarAsync<Guid>("SELECT id FROM users WHERE login = @login", new { login });
        for (var i = 1; i <= SignIn.MaxFailures; i++) await Fixture.SendAsync(new SignIn.Command(login, $"guess {i}"));
        Assert.True((await Fixture.SendAsync(new ListUsers.Query(admin))).Single(u => u.Id == id).IsLockedAt(Fixture.Clock.GetUtcNow()));

        var unlocked = await Fixture.SendAsync(new UnlockUser.Command(id, admin));

        Assert.True(unlocked.WasLocked);
        Assert.False((await Fixture.SendAsync(new ListUsers.Query(admin))).Single(u => u.Id == id).IsLockedAt(Fixture.Clock.GetUtcNow()));
        Assert.Equal(SignIn.Outcome.SignedIn, (await Fixture.SendAsync(new SignIn.Command(login, "correct horse battery"))).Outcome);
        Assert.False((await Fixture.SendAsync(new UnlockUser.Command(id, admin))).WasLocked);
    }

    [Fact]
    public async Task A_changed_role_is_the_role_of_the_next_sign_in()
    {
        var admin = Caller.Admin(Guid.NewGuid());
        var login = await CreateAsync("agent");
        var id = await Fixture.ScalarAsync<Guid>("SELECT id FROM users WHERE login = @login", new { login });

        await Fixture.SendAsync(new ChangeUserRole.Command(id, "supervisor", admin));

        var signedIn = await Fixture.SendAsync(new SignIn.Command(login, "correct horse battery"));
        Assert.Equal("supervisor", signedIn.User!.Role);
        var listed = (await Fixture.SendAsync(new ListUsers.Query(admin))).Single(u => u.Id == id);
        Assert.Null(listed.SkillGroup);
        await Assert.ThrowsAsync<ValidationFailedException>(() => Fixture.SendAsync(new ChangeUserRole.Command(id, "owner", admin)));
    }

    [Fact]
    public async Task An_admin_can_neither_disable_nor_demote_themselves()
    {
        var login = await CreateAsync("admin");
        var id = await Fixture.ScalarAsync<Guid>("SELECT id FROM users WHERE login = @login", new { login });
        var self = Caller.Admin(id);

        var disable = await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new SetUserDisabled.Command(id, true, self)));
        var demote = await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new ChangeUserRole.Command(id, "supervisor", self)));

        Assert.Contains("yourself", disable.Message, StringComparison.Ordinal);
        Assert.Contains("yourself", demote.Message, StringComparison.Ordinal);
        Assert.Equal(SignIn.Outcome.SignedIn, (await Fixture.SendAsync(new SignIn.Command(login, "correct horse battery"))).Outcome);
        Assert.Equal("admin", (await Fixture.SendAsync(new ListUsers.Query(self))).Single(u => u.Id == id).Role);
    }

    [Fact]
    public async Task Supervisors_and_agents_cannot_manage_users()
    {
        var login = await CreateAsync();
        var id = await Fixture.ScalarAsync<Guid>("SELECT id FROM users WHERE login = @login", new { login });
        foreach (var staff in new[] { Caller.Agent(Guid.NewGuid()), Caller.Supervisor(Guid.NewGuid()) })
        {
            await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new ListUsers.Query(staff)));
            await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new UnlockUser.Command(id, staff)));
            await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new ChangeUserRole.Command(id, "admin", staff)));
            await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new SetUserDisabled.Command(id, true, staff)));
        }
        Assert.Equal(SignIn.Outcome.SignedIn, (await Fixture.SendAsync(new SignIn.Command(login, "correct horse battery"))).Outcome);
        await Assert.ThrowsAsync<NotFoundException>(() => Fixture.SendAsync(new UnlockUser.Command(Guid.NewGuid(), Caller.Admin(Guid.NewGuid()))));
    }
}

public sealed class UsersOnSqlite(SqliteSliceFixture fixture) : UserTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class UsersOnPostgres(PostgresSliceFixture fixture) : UserTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
