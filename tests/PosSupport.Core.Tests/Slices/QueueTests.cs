using System.Text.RegularExpressions;
using Dapper;
using PosSupport.Core.Cases;
using PosSupport.Core.Data;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.Slices;

// Every case of this class is opened through the real pipeline into one database, so each test scopes its
// assertions with a merchant of its own (searched by name) or with count differences.
public abstract class QueueTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;

    // Device-group users: data-fee and fee-rate cases are never assigned to them automatically.
    private Task<Guid> StaffAsync(string role = "agent") => Fixture.UserAsync(role, "device");

    private async Task<List<QueueQuery.QueueRow>> AllPagesAsync(QueueQuery.Query query)
    {
        var rows = new List<QueueQuery.QueueRow>();
        string? cursor = null;
        do
        {
            var page = await Fixture.SendAsync(query with { Cursor = cursor });
            Assert.True(page.Rows.Count <= query.PageSize);
            rows.AddRange(page.Rows);
            cursor = page.NextCursor;
        } while (cursor is not null);
        return rows;
    }

    [Fact]
    public async Task The_queue_lists_open_cases_newest_change_first_with_titles_and_a_masked_phone()
    {
        var agent = await StaffAsync();
        var name = TestDataQueries.Unique("便利店");
        var merchant = await Fixture.NamedMerchantAsync(name, phone: "13955557777");
        var olderAt = Fixture.Clock.GetUtcNow();
        var older = await Fixture.OpenDataFeeAsync(merchant.MerchantId, Caller.Agent(agent), merchant.DeviceSerial);
        Fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        var newer = await Fixture.OpenFeeRateAsync(merchant.MerchantId, Caller.Agent(agent));
        await Fixture.AssignAsync(older.Id, agent);

        var page = await Fixture.SendAsync(new QueueQuery.Query(Caller.Agent(agent), Search: name));

        Assert.Equal([newer.Id, older.Id], page.Rows.Select(r => r.Id));
        var row = page.Rows[1];
        Assert.Equal((older.Number, "data-fee-cancellation", "流量费取消/退费", "Data-fee cancellation or refund"),
            (row.Number, row.Type, row.WorkflowTitle.ZhCn, row.WorkflowTitle.En));
        Assert.Equal(("collecting-evidence", "waiting-on-merchant", "收集证据材料", "normal"), (row.State, row.StateKind, row.StateTitle.ZhCn, row.Priority));
        Assert.Equal((name, "139****7777", merchant.DeviceSerial), (row.MerchantName, row.MaskedPhone, row.DeviceSerial));
        Assert.Equal(agent, row.AssigneeId);
        Assert.StartsWith("agent-", row.AssigneeName, StringComparison.Ordinal);
        Assert.Equal((olderAt, olderAt), (row.OpenedAt, row.UpdatedAt));
        Assert.Null(page.Rows[0].AssigneeId);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task Pages_follow_the_cursor_without_gaps_or_repeats_even_when_cases_changed_at_the_same_instant()
    {
        var name = TestDataQueries.Unique("烧烤店");
        var merchant = await Fixture.NamedMerchantAsync(name);
        var staff = Caller.Agent(await StaffAsync());
        var opened = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            if (i % 2 == 0) Fixture.Clock.Advance(TimeSpan.FromSeconds(1));
            opened.Add((await Fixture.OpenDataFeeAsync(merchant.MerchantId, staff)).Id);
        }

        var whole = (await Fixture.SendAsync(new QueueQuery.Query(staff, Search: name, PageSize: QueueQuery.MaxPageSize))).Rows;
        var paged = await AllPagesAsync(new QueueQuery.Query(staff, Search: name, PageSize: 2));

        Assert.Equal(opened.Order(), whole.Select(r => r.Id).Order());
        Assert.Equal(whole.Select(r => r.Id), paged.Select(r => r.Id));
        Assert.Equal(whole.OrderByDescending(r => r.UpdatedAt).Select(r => r.UpdatedAt), whole.Select(r => r.UpdatedAt));
    }

    [Fact]
    public async Task Each_filter_narrows_the_queue_to_its_cases()
    {
        var name = TestDataQueries.Unique("超市");
        var withContract = await Fixture.NamedMerchantAsync(name);
        var noContract = await Fixture.NamedMerchantAsync(name + "分店", withContract: false);
        var agent = await StaffAsync();
        var staff = Caller.Agent(agent);
        var waiting = await Fixture.OpenDataFeeAsync(withContract.MerchantId, staff);
        var gathering = await Fixture.OpenDataFeeAsync(noContract.MerchantId, staff);
        var feeRate = await Fixture.OpenFeeRateAsync(noContract.MerchantId, staff);
        var escalated = await Fixture.OpenDataFeeAsync(withContract.MerchantId, staff);
        await Fixture.FireAsync(escalated.Id, "escalate", staff);
        var withdrawn = await Fixture.OpenDataFeeAsync(withContract.MerchantId, staff);
        await Fixture.FireAsync(withdrawn.Id, "withdraw", staff);
        await Fixture.AssignAsync(gathering.Id, agent);
        Assert.Equal("gathering-contract", gathering.State);

        async Task<Guid[]> Ids(QueueQuery.Query query) =>
            [.. (await Fixture.SendAsync(query with { Search = name })).Rows.Select(r => r.Id).Order()];
        Guid[] Of(params OpenCase.Result[] cases) => [.. cases.Select(c => c.Id).Order()];

        Assert.Equal(Of(waiting, gathering, feeRate, escalated), await Ids(new(staff)));
        Assert.Equal(Of(waiting, gathering, feeRate, escalated, withdrawn), await Ids(new(staff, OpenOnly: false)));
        Assert.Equal(Of(gathering), await Ids(new(staff, State: "gathering-contract", Type: "data-fee-cancellation")));
        Assert.Equal(Of(feeRate), await Ids(new(staff, Type: "fee-rate-dispute")));
        Assert.Equal(Of(gathering), await Ids(new(staff, Assignee: agent.ToString())));
        Assert.Equal(Of(waiting, feeRate, escalated), await Ids(new(staff, Assignee: QueueQuery.Unassigned)));
        Assert.Equal(Of(waiting), await Ids(new(staff, WaitingOnMerchant: true)));
        Assert.Equal(Of(escalated), await Ids(new(staff, Escalated: true)));
        Assert.Equal(Of(withdrawn), await Ids(new(staff, State: "closed", OpenOnly: false)));
    }

    [Fact]
    public async Task Paging_through_open_and_closed_cases_together_shows_each_case_once_newest_change_first()
    {
        var name = TestDataQueries.Unique("面馆");
        var merchant = await Fixture.NamedMerchantAsync(name);
        var staff = Caller.Agent(await StaffAsync());
        var opened = new List<Guid>();
        for (var i = 0; i < 7; i++) opened.Add((await Fixture.OpenDataFeeAsync(merchant.MerchantId, staff)).Id);
        // Last changed in another order than opened, closed and open cases alternating in it.
        var newestFirst = new List<Guid>();
        foreach (var (index, close) in new[] { (3, true), (0, false), (5, true), (1, false), (6, true), (2, false), (4, true) })
        {
            Fixture.Clock.Advance(TimeSpan.FromSeconds(1));
            if (close) await Fixture.FireAsync(opened[index], "withdraw", staff);
            else await Fixture.SendAsync(new AddNote.Command(opened[index], "已回电商户", staff));
            newestFirst.Insert(0, opened[index]);
        }

        var queue = new List<Guid>();
        var found = new List<Guid>();
        string? queueCursor = null, foundCursor = null;
        do
        {
            var page = await Fixture.SendAsync(new QueueQuery.Query(staff, Search: name, OpenOnly: false, Cursor: queueCursor, PageSize: 2));
            queue.AddRange(page.Rows.Select(r => r.Id));
            queueCursor = page.NextCursor;
        } while (queueCursor is not null);
        do
        {
            var page = await Fixture.SendAsync(new FindCases.Query(staff, MerchantId: merchant.MerchantId, Cursor: foundCursor, PageSize: 2));
            found.AddRange(page.Rows.Select(r => r.Id));
            foundCursor = page.NextCursor;
        } while (foundCursor is not null);

        Assert.Equal(newestFirst, queue);
        Assert.Equal(newestFirst, found);
    }

    [Fact]
    public async Task The_priority_filter_keeps_cases_of_that_priority()
    {
        var name = TestDataQueries.Unique("便利店");
        var merchant = await Fixture.NamedMerchantAsync(name);
        var staff = Caller.Agent(await StaffAsync());
        var normal = await Fixture.OpenDataFeeAsync(merchant.MerchantId, staff);
        var urgent = await Fixture.SendAsync(new OpenCase.Command("data-fee-cancellation", merchant.MerchantId, "加急", staff, Priority: "urgent",
            ClaimAmountFen: 3_600, ClaimChargedOn: new DateOnly(2026, 11, 1)));

        var rows = (await Fixture.SendAsync(new QueueQuery.Query(staff, Search: name, Priority: "urgent"))).Rows;

        Assert.Equal(urgent.Id, Assert.Single(rows).Id);
        Assert.Equal("urgent", rows[0].Priority);
        Assert.Contains((await Fixture.SendAsync(new QueueQuery.Query(staff, Search: name, Priority: "normal"))).Rows, r => r.Id == normal.Id);
        var invalid = await Assert.ThrowsAsync<ValidationFailedException>(() => Fixture.SendAsync(new QueueQuery.Query(staff, Priority: "asap")));
        Assert.Contains("Priority", invalid.Errors.Keys);
    }

    [Fact]
    public async Task Search_finds_cases_by_number_merchant_name_serial_or_the_phones_last_four_digits_ignoring_case()
    {
        var name = TestDataQueries.Unique("Noodle Bar ");
        var merchant = await Fixture.NamedMerchantAsync(name, phone: "13966668888", serial: TestDataQueries.Unique("PAX-A920-"));
        var opened = await Fixture.OpenDataFeeAsync(merchant.MerchantId, Caller.Agent(await StaffAsync()), merchant.DeviceSerial);
        var staff = Caller.Supervisor(Guid.NewGuid());

        async Task<bool> Finds(string search) =>
            (await Fixture.SendAsync(new QueueQuery.Query(staff, Search: search, PageSize: QueueQuery.MaxPageSize))).Rows.Any(r => r.Id == opened.Id);

        Assert.True(await Finds(opened.Number.ToLowerInvariant()));
        Assert.True(await Finds(name[3..].ToLowerInvariant()));
        Assert.True(await Finds(merchant.DeviceSerial[4..].ToLowerInvariant()));
        Assert.True(await Finds("  8888 "));
        Assert.False(await Finds("6666"));
        Assert.False(await Finds("13966668888"));
    }

    [Fact]
    public async Task Search_takes_percent_and_underscore_literally()
    {
        var literal = await Fixture.NamedMerchantAsync(TestDataQueries.Unique("满100%_减"));
        var lookalike = await Fixture.NamedMerchantAsync(TestDataQueries.Unique("满100元减"));
        var staff = Caller.Agent(await StaffAsync());
        var wanted = await Fixture.OpenDataFeeAsync(literal.MerchantId, staff);
        var other = await Fixture.OpenDataFeeAsync(lookalike.MerchantId, staff);

        var found = (await Fixture.SendAsync(new QueueQuery.Query(staff, Search: "100%_减", PageSize: QueueQuery.MaxPageSize))).Rows.Select(r => r.Id).ToList();
        var underscore = (await Fixture.SendAsync(new QueueQuery.Query(staff, Search: "_", PageSize: QueueQuery.MaxPageSize))).Rows;

        Assert.Equal([wanted.Id], found);
        Assert.DoesNotContain(underscore, r => r.Id == other.Id);
        Assert.Contains(underscore, r => r.Id == wanted.Id);
    }

    [Fact]
    public async Task The_counts_of_every_queue_come_with_the_page()
    {
        var me = await StaffAsync();
        var caller = Caller.Agent(me);
        var before = (await Fixture.SendAsync(new QueueQuery.Query(caller, PageSize: 1))).Counts!;
        var merchant = await Fixture.NamedMerchantAsync(TestDataQueries.Unique("计数商户"));
        var mine = await Fixture.OpenDataFeeAsync(merchant.MerchantId, caller);
        await Fixture.AssignAsync(mine.Id, me);
        await Fixture.OpenDataFeeAsync(merchant.MerchantId, caller);
        var escalated = await Fixture.OpenDataFeeAsync(merchant.MerchantId, caller);
        await Fixture.FireAsync(escalated.Id, "escalate", caller);
        var closed = await Fixture.OpenDataFeeAsync(merchant.MerchantId, caller);
        await Fixture.FireAsync(closed.Id, "withdraw", caller);

        var after = (await Fixture.SendAsync(new QueueQuery.Query(caller, PageSize: 1))).Counts!;
        var forSomeoneElse = (await Fixture.SendAsync(new QueueQuery.Query(Caller.Supervisor(Guid.NewGuid()), PageSize: 1, MyUserId: me))).Counts!;

        Assert.Equal(new QueueQuery.QueueCounts(Mine: 1, Unassigned: 2, WaitingOnMerchant: 2, Escalated: 1, AllOpen: 3),
            new QueueQuery.QueueCounts(after.Mine - before.Mine, after.Unassigned - before.Unassigned, after.WaitingOnMerchant - before.WaitingOnMerchant,
                after.Escalated - before.Escalated, after.AllOpen - before.AllOpen));
        Assert.Equal(after.Mine, forSomeoneElse.Mine);
    }

    [Fact]
    public async Task Dashboard_badges_are_reused_for_a_second_after_a_change_here_and_for_the_maximum_age_after_one_elsewhere()
    {
        var me = await StaffAsync();
        var caller = Caller.Agent(me);
        var merchant = await Fixture.NamedMerchantAsync(TestDataQueries.Unique("徽标商户"));
        var exact = (await Fixture.SendAsync(new QueueQuery.Query(caller, PageSize: 1))).Counts!;
        var first = await Fixture.SendAsync(new GetQueueCounts.Query(caller));

        var opened = await Fixture.OpenDataFeeAsync(merchant.MerchantId, caller);
        await Fixture.AssignAsync(opened.Id, me);
        var sameSecond = await Fixture.SendAsync(new GetQueueCounts.Query(caller));
        Fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var nextSecond = await Fixture.SendAsync(new GetQueueCounts.Query(caller));
        // Another node's change: this node hears nothing of it, so its badges wait out their maximum age.
        await Fixture.WithConnectionAsync(c => c.ExecuteAsync("UPDATE cases SET assignee_id = NULL WHERE id = @Id", opened));
        Fixture.Clock.Advance(TimeSpan.FromSeconds(Fixture.Options.QueueCountsMaxAgeSeconds - 1));
        var withinMaxAge = await Fixture.SendAsync(new GetQueueCounts.Query(caller));
        Fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var pastMaxAge = await Fixture.SendAsync(new GetQueueCounts.Query(caller));

        Assert.Equal(exact, first);
        // Counted before the case opened, within the second.
        Assert.Equal(exact, sameSecond);
        Assert.Equal(exact with { Mine = exact.Mine + 1, AllOpen = exact.AllOpen + 1, WaitingOnMerchant = exact.WaitingOnMerchant + 1 }, nextSecond);
        Assert.Equal(nextSecond, withinMaxAge);
        Assert.Equal(nextSecond with { Mine = exact.Mine, Unassigned = nextSecond.Unassigned + 1 }, pastMaxAge);
        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new GetQueueCounts.Query(Caller.Channel(Guid.NewGuid()))));
    }

    [Fact]
    public async Task Only_staff_see_the_queue()
    {
        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new QueueQuery.Query(Caller.Channel(Guid.NewGuid()))));
        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new QueueQuery.Query(Caller.System("report"))));
    }

    [Fact]
    public async Task A_bad_queue_request_reports_every_field_at_once()
    {
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => Fixture.SendAsync(new QueueQuery.Query(
            Caller.Agent(Guid.NewGuid()), Type: "parking-fine", Assignee: "bob", Search: new string('x', 101), Cursor: "not-a-cursor", PageSize: 0)));

        Assert.Equal(["Assignee", "Cursor", "PageSize", "Search", "Type"], error.Errors.Keys.Order());
    }

    [Theory]
    [InlineData("open", "ix_cases_open_recent")]
    [InlineData("open after a cursor", "ix_cases_open_recent")]
    [InlineData("type", "ix_cases_open_type")]
    [InlineData("state", "ix_cases_open_state")]
    [InlineData("assignee", "ix_cases_open_assignee")]
    // Where nearly every open case is unassigned (as in this test database), walking the open cases is as good.
    [InlineData("unassigned", "ix_cases_open_assignee|ix_cases_open_recent")]
    [InlineData("waiting on merchant", "ix_cases_waiting|ix_cases_open_recent")]
    [InlineData("escalated", "ix_cases_escalated")]
    // Open and closed cases are indexed apart: a page of each, each read in order, then the two merged.
    [InlineData("closed too", "ix_cases_open_recent", "ix_cases_closed_recent")]
    [InlineData("closed too by type", "ix_cases_open_type", "ix_cases_closed_type")]
    [InlineData("closed too by state", "ix_cases_open_state", "ix_cases_closed_state")]
    [InlineData("closed too by assignee", "ix_cases_open_assignee", "ix_cases_closed_assignee")]
    // Search filters while walking in queue order; merchants and devices are matched as small sets beside it.
    [InlineData("search", "ix_cases_open_recent")]
    public async Task Each_queue_filter_reads_its_index_already_in_queue_order(string filter, string index, string? closedIndex = null)
    {
        var staff = Caller.Agent(Guid.NewGuid());
        QueueQuery.Query query = filter switch
        {
            "open" => new(staff),
            "open after a cursor" => new(staff, Cursor: QueueCursor.Encode(SliceFixture.Start, Guid.NewGuid())),
            "type" => new(staff, Type: "data-fee-cancellation"),
            "state" => new(staff, State: "negotiating"),
            "assignee" => new(staff, Assignee: Guid.NewGuid().ToString()),
            "unassigned" => new(staff, Assignee: QueueQuery.Unassigned),
            "waiting on merchant" => new(staff, WaitingOnMerchant: true),
            "escalated" => new(staff, Escalated: true),
            "search" => new(staff, Search: "烧烤店"),
            "closed too by type" => new(staff, Type: "data-fee-cancellation", OpenOnly: false),
            "closed too by state" => new(staff, State: "closed", OpenOnly: false),
            "closed too by assignee" => new(staff, Assignee: Guid.NewGuid().ToString(), OpenOnly: false),
            _ => new(staff, OpenOnly: false),
        };
        var (sql, parameters) = QueueQuery.PageSql(query, Fixture.Provider);

        var text = await PlanAsync(sql, parameters, "SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off;");

        Assert.Matches($@"\b({index})\b", text);
        Assert.DoesNotMatch("(?m)^SCAN c$|Seq Scan on cases", text);
        if (closedIndex is null)
        {
            Assert.DoesNotContain("TEMP B-TREE", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Sort", text, StringComparison.Ordinal);
            return;
        }
        Assert.Matches($@"\b{closedIndex}\b", text);
        // Only the merge of the two pages may sort (at most twice a page of rows): SQLite sorts each side of its merge,
        // PostgreSQL sorts the appended pages once or merges them; a sort inside a side would be one more.
        if (Fixture.Provider == DatabaseProvider.Sqlite) Assert.Equal(2, Regex.Count(text, "TEMP B-TREE"));
        else Assert.True(Regex.Count(text, @"(?m)^\s*(->\s+)?Sort\s+\(") <= 1, text);
    }

    [Fact]
    public async Task The_queue_counts_read_index_ranges_of_open_cases_only()
    {
        var text = await PlanAsync(QueueQuery.CountsSql, new { me = Guid.NewGuid() }, "SET LOCAL enable_seqscan = off;");

        Assert.DoesNotMatch(@"(?m)^SCAN c( USING (COVERING )?INDEX (?!ix_cases_open_|ix_cases_escalated|ix_cases_waiting)\w+)?$", text);
        Assert.DoesNotMatch(@"Seq Scan on cases|ix_cases_closed_", text);
        if (Fixture.Provider == DatabaseProvider.Sqlite)
        {
            // Counting reads the index alone: no row is looked up (the indexes end with the columns of their predicates).
            Assert.Matches(@"(?m)^SEARCH c USING COVERING INDEX ix_cases_open_assignee \(assignee_id=\?\)$", text);
            Assert.Matches(@"(?m)^SCAN c USING COVERING INDEX ix_cases_open_(recent|assignee)$", text);
            Assert.Matches(@"(?m)^SCAN c USING COVERING INDEX ix_cases_waiting$", text);
            Assert.Matches(@"(?m)^SCAN c USING INDEX ix_cases_escalated$", text);
        }
        // The SLA counts may start from the small SLA event indexes and look each case up by its id; never a walk of the key.
        Assert.Equal(Regex.Count(text, "cases_pkey"),
            Regex.Count(text, @"Scan using cases_pkey on cases \w+\s+\([^\n]*\n\s+Index Cond: \(id = "));
        Assert.Matches(@"\bix_cases_escalated\b", text);
    }

    // The plan's text. PostgreSQL plans a tiny test table however it likes: the settings forbid the alternatives
    // (in this transaction only), so the plan shows whether the index path exists.
    private Task<string> PlanAsync(string sql, object parameters, string postgresSettings) => Fixture.WithConnectionAsync(async connection =>
    {
        if (Fixture.Provider == DatabaseProvider.Sqlite)
            return string.Join("\n", (await connection.QueryAsync<(long, long, long, string Detail)>("EXPLAIN QUERY PLAN " + sql, parameters)).Select(r => r.Detail));
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(postgresSettings + " SET LOCAL jit = off;", transaction: transaction);
        return string.Join("\n", await connection.QueryAsync<string>("EXPLAIN " + sql, parameters, transaction));
    });
}

public sealed class QueueOnSqlite(SqliteSliceFixture fixture) : QueueTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class QueueOnPostgres(PostgresSliceFixture fixture) : QueueTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
