using PosSupport.Core.ApiClients;
using PosSupport.Core.Cases;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.Slices;

public abstract class ApiClientTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;

    private static readonly Caller Admin = Caller.Admin(Guid.NewGuid());

    private static string Name(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_new_clients_key_signs_it_in_and_only_the_keys_hash_is_stored()
    {
        var created = await Fixture.SendAsync(new CreateApiClient.Command(Name("app"), "channel", Admin, "https://hooks.example.com/possupport"));

        var client = await Fixture.SendAsync(new AuthenticateApiClient.Query(created.Key));

        Assert.Equal((created.Id, created.Name, "channel"), (client!.Id, client.Name, client.Role));
        Assert.StartsWith(ApiKeys.KeyPrefix, created.Key);
        Assert.StartsWith(ApiKeys.SecretPrefix, created.WebhookSecret);
        var stored = await Fixture.ScalarAsync<string>("SELECT key_hash FROM api_clients WHERE id = @Id", created);
        Assert.Equal(ApiKeys.Hash(created.Key), stored);
        Assert.DoesNotContain(created.Key, stored, StringComparison.Ordinal);
        Assert.Null(await Fixture.SendAsync(new AuthenticateApiClient.Query(created.Key + "x")));
    }

    [Fact]
    public async Task A_revoked_key_no_longer_signs_in_and_revoking_twice_changes_nothing()
    {
        var created = await Fixture.SendAsync(new CreateApiClient.Command(Name("crm"), "agent", Admin));

        var first = await Fixture.SendAsync(new RevokeApiClient.Command(created.Name, Admin));
        var second = await Fixture.SendAsync(new RevokeApiClient.Command(created.Name, Admin));

        Assert.Null(await Fixture.SendAsync(new AuthenticateApiClient.Query(created.Key)));
        Assert.False(first.AlreadyRevoked);
        Assert.True(second.AlreadyRevoked);
        Assert.Equal(first.RevokedAt, second.RevokedAt);
        Assert.Contains(await Fixture.SendAsync(new ListApiClients.Query(Admin)), c => c.Name == created.Name && c.RevokedAt is not null);
    }

    [Fact]
    public async Task Names_are_unique_roles_are_known_and_webhook_urls_absolute()
    {
        var name = Name("bot");
        await Fixture.SendAsync(new CreateApiClient.Command(name, "supervisor", Admin));

        await Assert.ThrowsAsync<ConflictException>(() => Fixture.SendAsync(new CreateApiClient.Command(name, "agent", Admin)));
        var invalid = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            Fixture.SendAsync(new CreateApiClient.Command("no spaces", "root", Admin, "/relative/hook")));
        Assert.Equal(["Name", "Role", "WebhookUrl"], invalid.Errors.Keys.Order());
        await Assert.ThrowsAsync<NotFoundException>(() => Fixture.SendAsync(new RevokeApiClient.Command(Name("ghost"), Admin)));
        // The demo data's channel clients keep their names, so that seeding after 'apikeys create' still works.
        var demo = await Assert.ThrowsAsync<ValidationFailedException>(() => Fixture.SendAsync(new CreateApiClient.Command("merchant-app", "channel", Admin)));
        Assert.Equal(["Name"], demo.Errors.Keys);
    }

    [Fact]
    public async Task Only_admins_create_list_and_revoke_clients()
    {
        var created = await Fixture.SendAsync(new CreateApiClient.Command(Name("erp"), "agent", Admin));
        foreach (var staff in new[] { Caller.Agent(Guid.NewGuid()), Caller.Supervisor(Guid.NewGuid()) })
        {
            await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new CreateApiClient.Command(Name("sneaky"), "admin", staff)));
            await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new ListApiClients.Query(staff)));
            await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new RevokeApiClient.Command(created.Name, staff)));
        }
        Assert.NotNull(await Fixture.SendAsync(new AuthenticateApiClient.Query(created.Key)));
        Assert.DoesNotContain(await Fixture.SendAsync(new ListApiClients.Query(Admin)), c => c.Name.StartsWith("sneaky", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_channel_lists_only_the_cases_it_opened()
    {
        var (mine, channel) = await Fixture.OpenDataFeeCaseAsync();
        var (theirs, _) = await Fixture.OpenDataFeeCaseAsync();

        var seen = await Fixture.SendAsync(new FindCases.Query(channel));
        var all = await Fixture.SendAsync(new FindCases.Query(Caller.Agent(Guid.NewGuid()), PageSize: 100));

        Assert.Equal([mine.Id], seen.Rows.Select(r => r.Id));
        Assert.Contains(all.Rows, r => r.Id == theirs.Id);
        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new FindCases.Query(Caller.System("job"))));
    }

    [Fact]
    public async Task A_channels_cases_come_a_keyset_page_at_a_time_filtered_by_conversation_and_state()
    {
        var merchant = await Fixture.MerchantAsync();
        var channel = await Fixture.ChannelAsync();
        var opened = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            Fixture.Clock.Advance(TimeSpan.FromMinutes(1));
            opened.Add((await Fixture.SendAsync(new OpenCase.Command("data-fee-cancellation", merchant.MerchantId, "流量费", channel,
                ConversationId: i < 2 ? "conv-paged" : "conv-other", ClaimAmountFen: 100, ClaimChargedOn: new DateOnly(2026, 6, 1)))).Id);
        }

        var first = await Fixture.SendAsync(new FindCases.Query(channel, PageSize: 2));
        var second = await Fixture.SendAsync(new FindCases.Query(channel, Cursor: first.NextCursor, PageSize: 2));
        var conversation = await Fixture.SendAsync(new FindCases.Query(channel, MerchantId: merchant.MerchantId, ConversationId: "conv-paged"));
        var none = await Fixture.SendAsync(new FindCases.Query(channel, State: "closed"));

        Assert.Equal([opened[2], opened[1]], first.Rows.Select(r => r.Id));
        Assert.Equal([opened[0]], second.Rows.Select(r => r.Id));
        Assert.Null(second.NextCursor);
        Assert.Equal([opened[1], opened[0]], conversation.Rows.Select(r => r.Id));
        Assert.Empty(none.Rows);
        await Assert.ThrowsAsync<ValidationFailedException>(() => Fixture.SendAsync(new FindCases.Query(channel, Cursor: "not-a-cursor")));
    }
}

public sealed class ApiClientOnSqlite(SqliteSliceFixture fixture) : ApiClientTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class ApiClientOnPostgres(PostgresSliceFixture fixture) : ApiClientTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
