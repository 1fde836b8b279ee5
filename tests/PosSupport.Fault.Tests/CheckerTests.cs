using System.Text.Json;
using Dapper;
using PosSupport.Testing;

namespace PosSupport.Fault.Tests;

/// <summary>The fault checks themselves must be able to fail: each is shown a database with the fault it looks for.</summary>
public sealed class CheckerTests
{
    private static readonly Guid CaseId = Guid.NewGuid();

    [Fact]
    public void A_timeline_with_a_gap_is_reported_half_done()
    {
        var store = Store(Events(("opened", null), ("note", null), ("note", null)).Where(e => e.Seq != 2).ToList(), version: 2);

        var problems = StoreAudit.HalfDone(store, new HashSet<Guid> { CaseId });

        Assert.Contains(problems, p => p.Contains("not contiguous", StringComparison.Ordinal));
    }

    [Fact]
    public void A_version_the_timeline_cannot_explain_is_reported_half_done()
    {
        var store = Store(Events(("opened", null)), version: 3);

        Assert.Contains(StoreAudit.HalfDone(store, new HashSet<Guid> { CaseId }), p => p.Contains("version 3", StringComparison.Ordinal));
    }

    [Fact]
    public void A_transition_the_workflow_does_not_declare_is_reported_illegal()
    {
        var transition = JsonSerializer.SerializeToElement(new { from = "collecting-evidence", to = "resolved-refund", trigger = "assess" });
        var store = Store(Events(("opened", null), ("transition", transition)), version: 2, state: "resolved-refund");

        var problems = StoreAudit.IllegalTransitions(store, WorkflowRules.Load(FaultEnvironment.RepositoryWorkflows()), [CaseId]);

        Assert.Contains(problems, p => p.Contains("is not a transition of data-fee-cancellation", StringComparison.Ordinal));
    }

    [Fact]
    public void A_follow_up_that_reminded_twice_is_reported_duplicated_and_one_that_never_fired_missing()
    {
        var reminder = JsonSerializer.SerializeToElement(new { recipient = "merchant", template = FaultEnvironment.ReminderTemplate });
        var twice = new StoreSnapshot.FollowUp(Guid.NewGuid(), CaseId, "collecting-evidence", "remind", FaultEnvironment.ReminderTemplate, "pending", 0);
        var store = Store(Events(("opened", null), ("message-queued", reminder), ("message-queued", reminder)), version: 3,
            followUps: [twice with { Attempt = 1 }]);
        var never = twice with { Id = Guid.NewGuid(), CaseId = Guid.NewGuid() };

        var (fired, missing, duplicated) = CrashScenario.CheckFollowUps([twice, never], store);

        Assert.Equal(1, fired);
        Assert.Single(missing);
        Assert.Single(duplicated);
    }

    [Fact]
    public void A_webhook_received_twice_is_a_duplicate_and_one_never_received_a_loss()
    {
        var transition = JsonSerializer.SerializeToElement(new { from = "gathering-contract", to = "collecting-evidence", trigger = "contract-found" });
        var reply = JsonSerializer.SerializeToElement(new { direction = "outbound", text = "hello" });
        var delivered = new StoreSnapshot.Delivery(Guid.NewGuid(), Guid.NewGuid(), CaseId, "case.state_changed", $"{CaseId:N}:2:case.state_changed", "delivered");
        var lost = new StoreSnapshot.Delivery(Guid.NewGuid(), delivered.ClientId, CaseId, "message.created", $"{CaseId:N}:3:message.created", "pending");
        var store = Store(Events(("opened", null), ("transition", transition), ("message", reply)), version: 3, state: "collecting-evidence",
            deliveries: [delivered, lost]);
        WebhookListener.Received[] received =
        [
            new(delivered.Id, delivered.EventType, CaseId, "/hooks/0"),
            new(delivered.Id, delivered.EventType, CaseId, "/hooks/0"),
        ];

        var (expected, missing, duplicated) = TwoNodesScenario.CheckWebhooks(store, new HashSet<Guid> { CaseId }, received);

        Assert.Equal(2, expected);
        Assert.Single(missing, m => m.Contains(lost.Id.ToString(), StringComparison.Ordinal));
        Assert.Single(duplicated, d => d.Contains(delivered.Id.ToString(), StringComparison.Ordinal));
    }

    private static List<StoreSnapshot.TimelineEvent> Events(params (string Kind, JsonElement? Data)[] events) =>
        events.Select((e, i) => new StoreSnapshot.TimelineEvent(CaseId, i + 1, e.Kind, e.Kind == "message-queued" ? "follow-up" : "agent-1",
            e.Data ?? JsonSerializer.SerializeToElement(new { }))).ToList();

    private static StoreSnapshot Store(List<StoreSnapshot.TimelineEvent> events, long version, string state = "collecting-evidence",
        StoreSnapshot.FollowUp[]? followUps = null, StoreSnapshot.Delivery[]? deliveries = null) => new()
    {
        Cases = new Dictionary<Guid, StoreSnapshot.StoredCase> { [CaseId] = new(CaseId, "data-fee-cancellation", state, version) },
        Timelines = new Dictionary<Guid, IReadOnlyList<StoreSnapshot.TimelineEvent>> { [CaseId] = events },
        Messages = new Dictionary<Guid, Guid>(),
        Evidence = new Dictionary<Guid, (Guid, string)>(),
        FollowUps = followUps ?? [],
        Deliveries = deliveries ?? [],
    };
}

/// <summary>The lost-write check against a real database: an acknowledged message whose row is then deleted behind the host's back.</summary>
[Collection(FaultHosts.Name)]
public sealed class LostWriteCheckTests(SqliteHost host) : IClassFixture<SqliteHost>
{
    [Fact]
    public async Task An_acknowledged_message_missing_from_the_database_counts_as_lost()
    {
        var ledger = new EffectLedger();
        var load = new CaseLoad(ledger, await host.Environment.MerchantsWithContractsAsync());
        using var api = new FaultApi(host.Host.BaseAddress, host.AgentKey);
        using (var once = new CancellationTokenSource())
        {
            // One case's worth of commands: stop as soon as the first case is opened, the loop finishes that case.
            var run = load.RunAsync("checker", api, api, openerIsChannel: false, once.Token);
            while (ledger.Count(EffectKind.CaseOpened) == 0 && !run.IsCompleted) await Task.Delay(20);
            await once.CancelAsync();
            await run;
        }
        await using var connection = host.Environment.OpenDatabase();
        Assert.Empty(StoreAudit.Lost(ledger, await StoreSnapshot.ReadAsync(connection)));

        var message = ledger.All.First(a => a.Kind == EffectKind.Message);
        Assert.Equal(1, await connection.ExecuteAsync("DELETE FROM case_messages WHERE lower(CAST(id AS TEXT)) = @id", new { id = message.ItemId!.Value.ToString("D") }));

        var lost = StoreAudit.Lost(ledger, await StoreSnapshot.ReadAsync(connection));
        Assert.Single(lost, l => l.StartsWith("Message", StringComparison.Ordinal) && l.Contains(message.ItemId.Value.ToString(), StringComparison.Ordinal));
    }
}

/// <summary>
/// The retry check after a crash against a real host: a request that committed but whose answer was lost is replayed and
/// passes; once its effect is gone from the database, the same retry is answered from the stored response and must fail.
/// </summary>
[Collection(FaultHosts.Name)]
public sealed class RetryCheckTests(SqliteHost host) : IClassFixture<SqliteHost>
{
    [Fact]
    public async Task A_replayed_retry_whose_effect_is_missing_from_the_database_fails_the_check()
    {
        var merchant = (await host.Environment.MerchantsWithContractsAsync())[0];
        var token = "retry-check-" + Guid.NewGuid().ToString("N");
        using var api = new FaultApi(host.Host.BaseAddress, host.AgentKey);
        var opened = await api.PostAsync("cases", new
        {
            type = "data-fee-cancellation", merchantId = merchant, description = "重试检查 " + token, conversationId = token,
            claimAmountFen = 9900, claimChargedOn = "2026-06-01",
        }, token + "-open");
        Assert.True(opened.IsSuccess, opened.ToString());
        var note = new UnansweredRequest("crm", "note", token,
            client => client.PostAsync($"cases/{opened.GuidOf("id"):D}/notes", new { text = token }, token + "-note"),
            "SELECT COUNT(*) FROM case_events WHERE kind = 'note' AND data LIKE '%' || @token || '%'");
        // The first sending commits; say its answer was lost on the way back.
        Assert.True((await note.Resend(api)).IsSuccess);
        var keys = new Dictionary<string, string> { ["crm"] = host.AgentKey };

        var (retried, replayed, failed) = await CrashScenario.RetryUnansweredAsync(host.Environment, host.Host.BaseAddress, [note], keys, FaultHosts.Timeout());
        Assert.Equal((1, 1), (retried, replayed));
        Assert.Empty(failed);

        await using (var connection = host.Environment.OpenDatabase())
            Assert.Equal(1, await connection.ExecuteAsync("DELETE FROM case_events WHERE kind = 'note' AND data LIKE '%' || @token || '%'", new { token }));

        (retried, replayed, failed) = await CrashScenario.RetryUnansweredAsync(host.Environment, host.Host.BaseAddress, [note], keys, FaultHosts.Timeout());
        Assert.Equal((1, 1), (retried, replayed));
        Assert.Single(failed, f => f.Contains(token, StringComparison.Ordinal) && f.Contains("0 time(s)", StringComparison.Ordinal));
    }
}
