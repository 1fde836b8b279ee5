using System.Text.RegularExpressions;
using PosSupport.Core.Data;
using PosSupport.Core.Demo;
using PosSupport.Core.Merchants;
using PosSupport.Core.Tests.Support;
using PosSupport.Core.Tests.Workflows;

namespace PosSupport.Core.Tests.Demo;

public abstract partial class DemoDataTests<TFixture>(TFixture fixture) where TFixture : SliceFixture, new()
{
    protected TFixture Fixture { get; } = fixture;

    private Task<DemoData.Result> SeedAsync() => DemoData.SeedAsync(Fixture.Services, CancellationToken.None);

    [Fact]
    public async Task Seeding_an_empty_database_creates_about_fifty_merchants_and_their_cases()
    {
        var seeded = await SeedAsync();

        Assert.InRange(seeded.Merchants, 45, 55);
        Assert.Equal(seeded.Merchants, await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM merchants"));
        Assert.Equal(seeded.Cases, await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM cases"));
        Assert.InRange(seeded.Cases, 60, 100);
        Assert.False(await DemoData.IsEmptyAsync(Fixture.Database, CancellationToken.None));
    }

    [Fact]
    public async Task Seeding_a_seeded_database_again_writes_nothing()
    {
        var first = await SeedAsync();
        var events = await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM case_events");

        var second = await SeedAsync();

        Assert.False(second.Seeded);
        Assert.Equal((first.Merchants, first.Cases), (second.Merchants, second.Cases));
        Assert.Equal(first.Cases, await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM cases"));
        Assert.Equal(events, await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM case_events"));
        Assert.Equal(1, await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM demo_seeds"));
    }

    [Fact]
    public async Task Two_empty_databases_seeded_hold_the_same_merchants_and_case_numbers()
    {
        var one = new TFixture();
        var two = new TFixture();
        try
        {
            await one.InitializeAsync();
            await two.InitializeAsync();
            Assert.True(await DemoData.IsEmptyAsync(one.Database, CancellationToken.None));

            await DemoData.SeedAsync(one.Services, CancellationToken.None);
            await DemoData.SeedAsync(two.Services, CancellationToken.None);

            const string merchants = "SELECT name || ' ' || licence_number || ' ' || phone FROM merchants ORDER BY licence_number";
            const string cases = "SELECT number || ' ' || state || ' ' || priority FROM cases ORDER BY number";
            const string devices = "SELECT serial_number || ' ' || model || ' ' || status FROM devices ORDER BY serial_number";
            Assert.Equal(await one.QueryAsync<string>(merchants), await two.QueryAsync<string>(merchants));
            Assert.Equal(await one.QueryAsync<string>(cases), await two.QueryAsync<string>(cases));
            Assert.Equal(await one.QueryAsync<string>(devices), await two.QueryAsync<string>(devices));
        }
        finally
        {
            await one.DisposeAsync();
            await two.DisposeAsync();
        }
    }

    [Fact]
    public async Task Every_state_of_every_workflow_holds_at_least_one_demo_case()
    {
        await SeedAsync();

        var held = (await Fixture.QueryAsync<string>("SELECT DISTINCT workflow_id || ' ' || state FROM cases")).ToHashSet(StringComparer.Ordinal);

        var missing = RandomCases.ShippedWorkflows.All.SelectMany(w => w.States.Select(s => $"{w.Id} {s.Name}")).Where(s => !held.Contains(s)).ToList();
        Assert.Empty(missing);
        Assert.True(await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM cases WHERE state_kind IN ('active', 'waiting-on-merchant')") >= 40,
            "most demo cases are open");
    }

    [Fact]
    public async Task Licence_numbers_pass_the_GB_32100_check_and_phones_are_mainland_mobiles()
    {
        await SeedAsync();

        var merchants = await Fixture.QueryAsync<(string Licence, string Phone)>("SELECT licence_number, phone FROM merchants");

        Assert.All(merchants, m => Assert.True(UnifiedSocialCreditCode.IsValid(m.Licence), m.Licence));
        Assert.All(merchants, m => Assert.Matches(MobileNumber(), m.Phone));
        Assert.Equal(merchants.Count, merchants.Select(m => m.Licence).Distinct().Count());
    }

    [Fact]
    public async Task Demo_merchants_cover_every_device_model_data_fee_clause_and_category_rate()
    {
        await SeedAsync();

        Assert.Equal(["countertop", "e-signature", "phone", "smart"],
            await Fixture.QueryAsync<string>("SELECT DISTINCT model FROM devices WHERE merchant_id IS NOT NULL ORDER BY model"));
        Assert.NotEmpty(await Fixture.QueryAsync<string>("SELECT serial_number FROM devices WHERE status = 'in-stock'"));

        var clauses = await Fixture.QueryAsync<string>("""
            SELECT DISTINCT CASE WHEN data_fee_clause = FALSE THEN 'none'
                                 ELSE CAST(data_fee_amount_fen AS TEXT) || '/' || CAST(data_fee_period_months AS TEXT) || 'm free ' ||
                                      CAST(data_fee_free_days AS TEXT) || 'd waiver ' || COALESCE(CAST(data_fee_waiver_volume_fen AS TEXT), '-') END
              FROM contracts
            """);
        Assert.Equal(["3600/12m free 90d waiver -", "9900/12m free 0d waiver 30000000", "9900/36m free 0d waiver -", "none"], clauses.Order(StringComparer.Ordinal));

        var rates = await Fixture.QueryAsync<string>(
            "SELECT DISTINCT m.category || ' ' || CAST(c.fee_rate_bp AS TEXT) FROM merchants m JOIN contracts c ON c.merchant_id = m.id");
        Assert.Equal(["beauty 55", "catering 60", "entertainment 60", "retail 55", "supermarket 38"], rates.Order(StringComparer.Ordinal));
        Assert.NotEmpty(await Fixture.QueryAsync<Guid>("SELECT id FROM merchants WHERE id NOT IN (SELECT merchant_id FROM contracts)"));
    }

    [Fact]
    public async Task Demo_staff_are_agents_of_both_skill_groups_one_away_a_supervisor_and_an_admin_and_three_of_them_sign_in()
    {
        await SeedAsync();

        var users = await Fixture.QueryAsync<string>(
            "SELECT role || ' ' || COALESCE(skill_group, '-') || ' ' || CASE WHEN away THEN 'away' ELSE 'in' END FROM users ORDER BY role, skill_group, away");

        Assert.Equal(["admin - in", "agent billing away", "agent billing in", "agent billing in", "agent device in", "agent device in", "agent device in",
            "supervisor - in"], users.Order(StringComparer.Ordinal));
        // Only agent, supervisor and admin have a password, the demo one; the other staff cannot sign in.
        Assert.Equal(["admin", "agent", "supervisor"],
            (await Fixture.QueryAsync<string>("SELECT login FROM users WHERE password_hash IS NOT NULL")).Order(StringComparer.Ordinal));
        foreach (var login in DemoData.SignInLogins)
            Assert.Equal(Users.SignIn.Outcome.SignedIn, (await Fixture.SendAsync(new Users.SignIn.Command(login, DemoData.Password))).Outcome);
        Assert.Equal(["agent billing", "supervisor -"], (await Fixture.QueryAsync<string>(
            "SELECT role || ' ' || COALESCE(skill_group, '-') FROM users WHERE login IN ('agent', 'supervisor')")).Order(StringComparer.Ordinal));
        Assert.Equal(0, await Fixture.ScalarAsync<long>(
            "SELECT COUNT(*) FROM cases WHERE assignee_id IN (SELECT id FROM users WHERE away OR role <> 'agent')"));
    }

    [Fact]
    public async Task Demo_cases_have_contiguous_timelines_and_are_moved_by_the_real_slices()
    {
        await SeedAsync();

        var gaps = await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM (SELECT case_id FROM case_events GROUP BY case_id HAVING MAX(seq) <> COUNT(*)) g");
        Assert.Equal(0, gaps);
        Assert.Equal(0, await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM cases WHERE id NOT IN (SELECT case_id FROM case_events WHERE kind = 'opened')"));
        Assert.True(await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM offers WHERE status = 'awaiting-approval'") >= 1);
        Assert.True(await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM outbox_messages WHERE recipient = 'finance'") >= 1, "refunds were instructed");
        Assert.True(await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM cases WHERE linked_case_id IS NOT NULL") >= 2, "a switch to a new terminal links two cases");
        Assert.True(await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM evidence_items WHERE status = 'accepted'") >= 10);
    }

    [GeneratedRegex("^1[3-9][0-9]{9}$")]
    private static partial Regex MobileNumber();
}

public sealed class DemoDataOnSqlite(SqliteSliceFixture f) : DemoDataTests<SqliteSliceFixture>(f), IClassFixture<SqliteSliceFixture>;

public sealed class DemoDataOnPostgres(PostgresSliceFixture f) : DemoDataTests<PostgresSliceFixture>(f), IClassFixture<PostgresSliceFixture>;
