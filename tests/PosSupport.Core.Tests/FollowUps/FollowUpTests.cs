using System.Text.RegularExpressions;
using PosSupport.Core.Cases;
using PosSupport.Core.Data;
using PosSupport.Core.FollowUps;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Slices;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.FollowUps;

/// <summary>
/// Follow-ups on a fake clock, through the real pipeline and database: jobs are handed out by the recording scheduler
/// when the fake time reaches them, as Hangfire's workers would. Each test works from the fixture's current time.
/// </summary>
public abstract class FollowUpTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;

    private static readonly Caller Agent = Caller.Agent(Guid.NewGuid());
    private static readonly string[] TwoJobs = ["42", "43"];
    private static readonly Guid[] TwoRows = [Guid.NewGuid(), Guid.NewGuid()];

    private Task<long> RemindersAsync(Guid caseId, string template = "evidence-missing") => Fixture.ScalarAsync<long>(
        "SELECT COUNT(*) FROM outbox_messages WHERE case_id = @caseId AND template = @template AND recipient = 'merchant'", new { caseId, template });

    private Task<Guid> FollowUpAsync(Guid caseId, string what) => Fixture.ScalarAsync<Guid>(
        "SELECT id FROM follow_ups WHERE case_id = @caseId AND (template = @what OR trigger_name = @what)", new { caseId, what });

    private Task<Guid> SlaFollowUpAsync(Guid caseId, string key, string kind) => Fixture.ScalarAsync<Guid>(
        "SELECT id FROM follow_ups WHERE case_id = @caseId AND follow_up_key = @key AND kind = @kind", new { caseId, key, kind });

    private async Task AdvanceAndRunAsync(TimeSpan by)
    {
        Fixture.Clock.Advance(by);
        await Fixture.RunDueFollowUpsAsync();
    }

    /// <summary>
    /// A new case's first evidence reminder is due a day later, beyond <see cref="FollowUpArming.Reach"/>, so it has no job
    /// yet: moves the clock to a minute within reach of it and runs the every-minute sweep, which gives it one.
    /// </summary>
    private async Task WithinReachOfTheFirstReminderAsync()
    {
        Fixture.Clock.Advance(TimeSpan.FromDays(1) - FollowUpArming.Reach + TimeSpan.FromMinutes(1));
        await Fixture.SendAsync(new SweepFollowUps.Command());
    }

    [Fact]
    public async Task A_follow_up_due_beyond_reach_gets_its_job_from_the_sweep_once_it_comes_within_reach()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync();
        var reminder = await FollowUpAsync(opened.Id, "evidence-missing");
        var due = await Fixture.ScalarAsync<DateTimeOffset>("SELECT due_at FROM follow_ups WHERE id = @reminder", new { reminder });

        // Written a day ahead: no job, and a sweep leaves it alone while it is further away than the reach.
        Assert.Empty(await Fixture.JobsOfAsync(reminder));
        Fixture.Clock.Advance(due - FollowUpArming.Reach - TimeSpan.FromMinutes(1) - Fixture.Clock.GetUtcNow());
        await Fixture.SendAsync(new SweepFollowUps.Command());
        Assert.Empty(await Fixture.JobsOfAsync(reminder));

        Fixture.Clock.Advance(TimeSpan.FromMinutes(2));
        var swept = await Fixture.SendAsync(new SweepFollowUps.Command());

        var job = Assert.Single(await Fixture.JobsOfAsync(reminder));
        Assert.True(swept.Armed >= 1);
        Assert.Equal(FollowUpArming.WakeAt(due), Fixture.Scheduler.DueOf(job));
        Assert.Equal(0, await RemindersAsync(opened.Id));
        Fixture.Clock.Advance(due - Fixture.Clock.GetUtcNow());
        await Fixture.RunDueFollowUpsAsync();
        Assert.Equal(1, await RemindersAsync(opened.Id));
    }

    [Fact]
    public async Task Evidence_reminders_go_out_after_a_day_then_exactly_three_more_times_daily_and_then_stop()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync();

        var counts = new List<long>();
        for (var day = 1; day <= 6; day++)
        {
            await AdvanceAndRunAsync(TimeSpan.FromDays(1));
            counts.Add(await RemindersAsync(opened.Id));
        }

        Assert.Equal([1, 2, 3, 4, 4, 4], counts);
        Assert.Equal("done", await Fixture.ScalarAsync<string>("SELECT status FROM follow_ups WHERE id = @id",
            new { id = await FollowUpAsync(opened.Id, "evidence-missing") }));
        var reminders = await Fixture.QueryAsync<string>(
            "SELECT visibility FROM case_events WHERE case_id = @Id AND kind = 'message-queued' AND data LIKE '%evidence-missing%'", opened);
        Assert.Equal(["merchant", "merchant", "merchant", "merchant"], reminders);
        await Fixture.AssertTimelineContiguousAsync(opened.Id);
    }

    [Fact]
    public async Task After_seven_days_without_evidence_the_system_closes_the_case_as_abandoned()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync();

        for (var day = 1; day <= 7; day++) await AdvanceAndRunAsync(TimeSpan.FromDays(1));

        var row = await Fixture.CaseRowAsync(opened.Id);
        Assert.Equal(("closed", "abandoned"), (row.State, row.Outcome));
        Assert.Equal("system", await Fixture.ScalarAsync<string>(
            "SELECT actor FROM case_events WHERE case_id = @Id AND kind = 'transition' ORDER BY seq DESC LIMIT 1", opened));
        Assert.Equal(4, await RemindersAsync(opened.Id));
        Assert.Equal(0, await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM follow_ups WHERE case_id = @Id AND status = 'pending'", opened));
    }

    [Fact]
    public async Task Leaving_the_state_cancels_its_follow_ups_and_deletes_their_jobs()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync();
        var reminder = await FollowUpAsync(opened.Id, "evidence-missing");
        var timeout = await FollowUpAsync(opened.Id, "evidence-timed-out");
        await WithinReachOfTheFirstReminderAsync();
        // The reminder, due within minutes, has its job; the time-out, days away, has none yet.
        var jobs = (await Fixture.JobsOfAsync(reminder)).Concat(await Fixture.JobsOfAsync(timeout)).ToList();
        Assert.Single(await Fixture.JobsOfAsync(reminder));
        Assert.Empty(await Fixture.JobsOfAsync(timeout));

        await Fixture.AcceptAllEvidenceAsync(opened.Id);
        await Fixture.FireAsync(opened.Id, "evidence-complete", Agent);

        // A job is deleted unless it is shared with another case's follow-up waking on the same second.
        foreach (var job in jobs)
            Assert.True(Fixture.Scheduler.Deleted.Contains(job)
                        || await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM follow_ups WHERE job_id = @job AND status = 'pending'", new { job }) > 0);
        for (var day = 1; day <= 8; day++) await AdvanceAndRunAsync(TimeSpan.FromDays(1));

        Assert.Equal(["cancelled", "cancelled"], await Fixture.QueryAsync<string>(
            "SELECT status FROM follow_ups WHERE id IN (@reminder, @timeout)", new { reminder, timeout }));
        Assert.Equal(0, await RemindersAsync(opened.Id));
        // The evidence timeout never fired (the case was not closed as abandoned); the case, now on us, may have breached
        // an SLA and been escalated meanwhile, which is another matter.
        var row = await Fixture.CaseRowAsync(opened.Id);
        Assert.Equal((null, true), (row.Outcome, row.State is "assessing" or "escalated"));
    }

    [Fact]
    public async Task Follow_ups_waking_on_the_same_second_share_one_job_that_fires_each_of_them()
    {
        // Opened at the same instant: their reminders wake on the same second.
        var (first, _) = await Fixture.OpenDataFeeCaseAsync();
        var (second, _) = await Fixture.OpenDataFeeCaseAsync();
        var reminders = new[] { await FollowUpAsync(first.Id, "evidence-missing"), await FollowUpAsync(second.Id, "evidence-missing") };
        await WithinReachOfTheFirstReminderAsync();
        var jobs = new HashSet<string>();
        foreach (var id in reminders) jobs.Add(await Fixture.ScalarAsync<string>("SELECT job_id FROM follow_ups WHERE id = @id", new { id }));
        var job = Assert.Single(jobs);
        Assert.True(Fixture.Scheduler.IsLive(job));

        await AdvanceAndRunAsync(TimeSpan.FromDays(1));

        Assert.Equal((1, 1), (await RemindersAsync(first.Id), await RemindersAsync(second.Id)));
    }

    // A job fires and a cancelled follow-up's job is checked after commands: with every open case holding pending rows,
    // reading all of them each time took 330 ms a query at 300,000 rows (db/sqlite/0011_follow_up_job_index.sql). The
    // lists of rows armed or cancelled together are read in one statement, each row by its key.
    [Fact]
    public async Task Follow_up_rows_are_found_by_their_key_or_their_job_without_reading_every_pending_row()
    {
        const string postgresSettings = "SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off;";
        var provider = Fixture.Provider;
        var rows = provider.List(TwoRows);

        var ofJob = await QueuePlans.PlanAsync(Fixture, FollowUpJobRunner.RowsOfJobSql, new { jobId = "42" }, postgresSettings);
        var waitedOn = await QueuePlans.PlanAsync(Fixture, FollowUpArming.JobsStillWaitedOnSql(provider), new { some = provider.List(TwoJobs) }, postgresSettings);
        var unarmed = await QueuePlans.PlanAsync(Fixture, FollowUpArming.UnarmedSql(provider), new { ids = rows, until = SliceFixture.Start }, postgresSettings);
        var jobsOf = await QueuePlans.PlanAsync(Fixture, FollowUpArming.JobsOfSql(provider), new { ids = rows }, postgresSettings);
        // The sweep reads the rows due within reach by their due time, not every pending row of every open case.
        var sweep = await QueuePlans.PlanAsync(Fixture, SweepFollowUps.PageSql, new { until = SliceFixture.Start, afterDue = SliceFixture.Start, after = Guid.Empty, page = 1000 },
            postgresSettings);
        var waking = await QueuePlans.PlanAsync(Fixture, FollowUpArming.JobsWakingSql, new { from = SliceFixture.Start, wake = SliceFixture.Start }, postgresSettings);
        foreach (var plan in new[] { sweep, waking })
            Assert.True(plan.Contains("ix_follow_ups_pending_due", StringComparison.Ordinal) && !Regex.IsMatch(plan, "(?m)^SCAN follow_ups|Seq Scan on follow_ups"), plan);
        Assert.DoesNotContain("TEMP B-TREE", sweep, StringComparison.Ordinal);
        Assert.DoesNotContain("Sort", sweep, StringComparison.Ordinal);
        // A case's pending rows, by the case: the rows it fired or cancelled long ago are in no index these read.
        var caseId = Guid.NewGuid();
        foreach (var sql in new[] { CaseWorkflow.CancelPendingSql, MessageRenderer.NextDueSql })
        {
            var plan = await QueuePlans.PlanAsync(Fixture, sql, new { id = caseId, state = "evidence-collection" }, postgresSettings);
            Assert.True(plan.Contains("ix_follow_ups_pending_case", StringComparison.Ordinal), plan);
        }

        foreach (var plan in new[] { ofJob, waitedOn })
            Assert.True(plan.Contains("ix_follow_ups_pending_job", StringComparison.Ordinal) && !plan.Contains("ix_follow_ups_pending_due", StringComparison.Ordinal), plan);
        // PostgreSQL plans the tiny test table either way: by key, or by the few pending rows with no job.
        foreach (var plan in new[] { unarmed, jobsOf })
            Assert.True(Regex.IsMatch(plan, provider == DatabaseProvider.Sqlite ? @"SEARCH f USING INDEX sqlite_autoindex_follow_ups_1 \(id=\?\)" : "follow_ups_pkey|ix_follow_ups_pending_job"), plan);
        foreach (var plan in new[] { ofJob, waitedOn, unarmed, jobsOf })
            Assert.DoesNotMatch("(?m)^SCAN follow_ups|Seq Scan on follow_ups|ix_follow_ups_pending_due", plan);
        Assert.DoesNotContain("TEMP B-TREE", ofJob, StringComparison.Ordinal);
        Assert.DoesNotContain("Sort", ofJob, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_one_follow_up_of_a_shared_job_keeps_the_job_for_the_others()
    {
        var (leaving, _) = await Fixture.OpenDataFeeCaseAsync();
        var (staying, _) = await Fixture.OpenDataFeeCaseAsync();
        await WithinReachOfTheFirstReminderAsync();
        var job = Assert.Single(await Fixture.JobsOfAsync(await FollowUpAsync(staying.Id, "evidence-missing")));

        await Fixture.AcceptAllEvidenceAsync(leaving.Id);
        await Fixture.FireAsync(leaving.Id, "evidence-complete", Agent);

        Assert.True(Fixture.Scheduler.IsLive(job));
        Assert.DoesNotContain(job, Fixture.Scheduler.Deleted);
        await AdvanceAndRunAsync(TimeSpan.FromDays(1));
        Assert.Equal((0, 1), (await RemindersAsync(leaving.Id), await RemindersAsync(staying.Id)));
    }

    [Fact]
    public async Task A_job_run_twice_or_by_two_workers_at_once_sends_one_reminder()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync();
        var reminder = await FollowUpAsync(opened.Id, "evidence-missing");
        await WithinReachOfTheFirstReminderAsync();
        var job = Assert.Single(await Fixture.JobsOfAsync(reminder));
        Fixture.Clock.Advance(TimeSpan.FromDays(1));

        var together = await Task.WhenAll(
            Fixture.SendAsync(new FireFollowUp.Command(reminder, job)),
            Fixture.SendAsync(new FireFollowUp.Command(reminder, job)));
        var again = await Fixture.SendAsync(new FireFollowUp.Command(reminder, job));

        Assert.Equal(1, await RemindersAsync(opened.Id));
        Assert.Equal([FollowUpOutcome.Reminded, FollowUpOutcome.AlreadyHandled], together.Select(r => r.Outcome).Order());
        Assert.Equal(FollowUpOutcome.AlreadyHandled, again.Outcome);
        // The next reminder, a day after the first was due and so within reach of the clock now, is armed once (the job
        // run here by hand is still on the recorder's books).
        Assert.Single(await Fixture.JobsOfAsync(reminder), j => j != job);
    }

    [Fact]
    public async Task A_job_that_wakes_early_sends_nothing_and_waits_for_its_time()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync();
        var reminder = await FollowUpAsync(opened.Id, "evidence-missing");
        await WithinReachOfTheFirstReminderAsync();
        var job = Assert.Single(await Fixture.JobsOfAsync(reminder));

        var early = await Fixture.SendAsync(new FireFollowUp.Command(reminder, job));

        Assert.Equal(FollowUpOutcome.NotDue, early.Outcome);
        Assert.Equal(0, await RemindersAsync(opened.Id));
        await AdvanceAndRunAsync(TimeSpan.FromDays(1));
        Assert.Equal(1, await RemindersAsync(opened.Id));
    }

    [Fact]
    public async Task A_first_response_at_risk_warns_staff_and_its_breach_escalates_the_case_once()
    {
        var merchant = await Fixture.MerchantAsync();
        var channel = await Fixture.ChannelAsync();
        var opened = await Fixture.SendAsync(new OpenCase.Command("device-replacement", merchant.MerchantId, "刷卡一直提示交易失败", channel,
            DeviceSerial: merchant.DeviceSerial));
        var openedAt = Fixture.Clock.GetUtcNow();
        var warnAt = China2026.Calendar.AddBusinessTime(openedAt, TimeSpan.FromHours(3.2));
        var dueAt = China2026.Calendar.AddBusinessTime(openedAt, TimeSpan.FromHours(4));

        Fixture.Clock.SetUtcNow(warnAt);
        await Fixture.RunDueFollowUpsAsync();
        var warned = await Fixture.SendAsync(new GetCase.Query(opened.Id, Agent));

        Assert.Equal("intake", warned.Case.State);
        Assert.Equal(1, await Fixture.ScalarAsync<long>(
            "SELECT COUNT(*) FROM outbox_messages WHERE case_id = @id AND template = 'sla-warning' AND recipient = @recipient",
            new { id = opened.Id, recipient = warned.Case.AssigneeId is null ? "supervisors" : "assignee" }));
        var firstResponse = warned.Sla.Single(s => s.Clock == SlaClockKind.FirstResponse).Status;
        Assert.Equal((dueAt, true, false), (firstResponse.Due, firstResponse.IsWarned, firstResponse.IsBreached));

        Fixture.Clock.SetUtcNow(dueAt);
        await Fixture.RunDueFollowUpsAsync();
        var breachRow = await SlaFollowUpAsync(opened.Id, CaseSla.FirstResponseKey, "sla-breach");
        var again = await Fixture.SendAsync(new FireFollowUp.Command(breachRow));
        var breached = await Fixture.SendAsync(new GetCase.Query(opened.Id, Agent));

        Assert.Equal(("escalated", 1), (breached.Case.State, breached.Case.EscalationTier));
        Assert.True(breached.Sla.Single(s => s.Clock == SlaClockKind.FirstResponse).Status.IsBreached);
        Assert.Equal(FollowUpOutcome.AlreadyHandled, again.Outcome);
        Assert.Equal(1, await Fixture.EventCountAsync(opened.Id, "sla-breached"));
        Assert.Equal(1, await Fixture.EventCountAsync(opened.Id, "escalation"));
        await Fixture.AssertTimelineContiguousAsync(opened.Id);
    }

    [Fact]
    public async Task An_sla_stands_still_while_the_case_waits_on_the_merchant_and_its_warning_waits_too()
    {
        var merchant = await Fixture.MerchantAsync();
        var channel = await Fixture.ChannelAsync();
        // Urgent: resolution within one working day, so its warning comes before the no-reply timeout (five days) closes the case.
        var opened = await Fixture.SendAsync(new OpenCase.Command("device-replacement", merchant.MerchantId, "刷卡一直提示交易失败", channel,
            Priority: "urgent", DeviceSerial: merchant.DeviceSerial));
        Fixture.Clock.Advance(TimeSpan.FromMinutes(30));
        // The agent's first step is the first response; then the case waits on the merchant.
        await Fixture.FireAsync(opened.Id, "start-troubleshooting", Agent);
        var pausedAt = Fixture.Clock.GetUtcNow();
        var resolutionWarning = await SlaFollowUpAsync(opened.Id, CaseSla.ResolutionKey, "sla-warning");
        var warningDue = await Fixture.ScalarAsync<DateTimeOffset>("SELECT due_at FROM follow_ups WHERE id = @resolutionWarning", new { resolutionWarning });

        Fixture.Clock.SetUtcNow(warningDue);
        var results = await Fixture.RunDueFollowUpsAsync();
        var view = await Fixture.SendAsync(new GetCase.Query(opened.Id, Agent));

        Assert.Contains((resolutionWarning, FollowUpOutcome.Rescheduled), results.Select(r => (r.FollowUpId, r.Outcome)));
        Assert.Equal(0, await Fixture.EventCountAsync(opened.Id, "sla-warning"));
        var resolution = view.Sla.Single(s => s.Clock == SlaClockKind.Resolution).Status;
        Assert.True(resolution.IsPaused);
        Assert.Equal(China2026.Calendar.BusinessTimeBetween(pausedAt - TimeSpan.FromMinutes(30), pausedAt), resolution.Elapsed);
        var firstResponse = view.Sla.Single(s => s.Clock == SlaClockKind.FirstResponse).Status;
        Assert.Equal((true, pausedAt), (firstResponse.IsMet, firstResponse.MetAt));
        Assert.True(await Fixture.ScalarAsync<DateTimeOffset>("SELECT due_at FROM follow_ups WHERE id = @resolutionWarning", new { resolutionWarning })
            > Fixture.Clock.GetUtcNow());
    }

    [Fact]
    public async Task A_channel_does_not_see_the_sla_clocks()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();

        Assert.Empty((await Fixture.SendAsync(new GetCase.Query(opened.Id, channel))).Sla);
        Assert.Equal([SlaClockKind.FirstResponse, SlaClockKind.Resolution],
            (await Fixture.SendAsync(new GetCase.Query(opened.Id, Agent))).Sla.Select(s => s.Clock));
    }

    [Fact]
    public async Task The_sweeper_arms_follow_ups_whose_jobs_were_lost_and_leaves_live_ones_alone()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync();
        await WithinReachOfTheFirstReminderAsync();
        Fixture.Scheduler.LoseAll();

        var first = await Fixture.SendAsync(new SweepFollowUps.Command());
        var second = await Fixture.SendAsync(new SweepFollowUps.Command());

        Assert.True(first.Armed > 0);
        Assert.Equal(first.Pending, first.Armed);
        Assert.Equal(0, second.Armed);
        await AdvanceAndRunAsync(TimeSpan.FromDays(1));
        Assert.Equal(1, await RemindersAsync(opened.Id));
    }

    [Fact]
    public async Task A_sweep_arms_every_row_of_a_backlog_longer_than_its_page_whose_rows_share_due_times_across_page_boundaries()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync();
        var now = Fixture.Clock.GetUtcNow();
        // Overdue after an outage, or coming due within reach: 2,500 rows on three instants, in no particular id order.
        var dues = new[] { now - TimeSpan.FromHours(1), now + TimeSpan.FromMinutes(5), now + TimeSpan.FromMinutes(10) };
        var rows = Enumerable.Range(0, 2_500).Select(i => new { id = Guid.NewGuid(), caseId = opened.Id, key = $"backlog-{i}", due = dues[i % 3], now }).ToList();
        await Fixture.WithConnectionAsync(async connection =>
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await Dapper.SqlMapper.ExecuteAsync(connection, """
                INSERT INTO follow_ups (id, case_id, state, follow_up_key, kind, template, due_at, repeats_left, status, created_at)
                VALUES (@id, @caseId, 'collecting-evidence', @key, 'remind', 'evidence-missing', @due, 0, 'pending', @now)
                """, rows, transaction);
            await transaction.CommitAsync();
            return rows.Count;
        });

        var swept = await Fixture.SendAsync(new SweepFollowUps.Command());

        var unarmed = await Fixture.ScalarAsync<long>(
            "SELECT COUNT(*) FROM follow_ups WHERE case_id = @Id AND follow_up_key LIKE 'backlog-%' AND job_id IS NULL", opened);
        Assert.Equal(0, unarmed);
        Assert.True(swept.Armed >= rows.Count, $"{swept.Armed} armed of {swept.Pending} looked at");
        Assert.True(swept.Overdue >= rows.Count / 3, $"{swept.Overdue} overdue");
        // Out of the other tests' way: cancelled, and their jobs forgotten (the next sweep re-arms what else was pending).
        await Fixture.WithConnectionAsync(c => Dapper.SqlMapper.ExecuteAsync(c,
            "UPDATE follow_ups SET status = 'cancelled' WHERE case_id = @Id AND status = 'pending'", opened));
        Fixture.Scheduler.LoseAll();
    }

    [Fact]
    public async Task Two_sweeps_at_once_arm_each_follow_up_with_one_job()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync();
        await WithinReachOfTheFirstReminderAsync();
        Fixture.Scheduler.LoseAll();

        await Task.WhenAll(Fixture.SendAsync(new SweepFollowUps.Command()), Fixture.SendAsync(new SweepFollowUps.Command()));

        var until = Fixture.Clock.GetUtcNow() + FollowUpArming.Reach;
        var pending = await Fixture.QueryAsync<Guid>("SELECT id FROM follow_ups WHERE case_id = @Id AND status = 'pending' AND due_at <= @until",
            new { opened.Id, until });
        Assert.NotEmpty(pending);
        // Each row within reach names a live job, and no other job is left waiting (a sweep's job that lost the race was deleted).
        var named = await Fixture.QueryAsync<string>("SELECT job_id FROM follow_ups WHERE status = 'pending' AND due_at <= @until", new { until });
        Assert.All(named, job => Assert.True(job is not null && Fixture.Scheduler.IsLive(job)));
        Assert.Equal(named.Distinct().Order(), Fixture.Scheduler.Live.Order());
    }

    [Fact]
    public async Task A_follow_up_overdue_after_an_outage_fires_once_when_swept()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync();
        Fixture.Scheduler.LoseAll();
        Fixture.Clock.Advance(TimeSpan.FromDays(2.5));

        var swept = await Fixture.SendAsync(new SweepFollowUps.Command());
        await Fixture.RunDueFollowUpsAsync();

        Assert.True(swept.Overdue > 0);
        // Two reminders were due during the outage: the merchant gets one now, not a burst.
        Assert.Equal(1, await RemindersAsync(opened.Id));
    }

    [Fact]
    public async Task Overdue_follow_ups_of_two_cases_fire_from_a_job_no_worker_could_take_before_their_rows_named_it()
    {
        var (first, _) = await Fixture.OpenDataFeeCaseAsync();
        var (second, _) = await Fixture.OpenDataFeeCaseAsync();
        Fixture.Scheduler.LoseAll();
        Fixture.Clock.Advance(TimeSpan.FromDays(1.5));
        // A worker that takes every job due the moment it appears: it would find no row naming a job not yet recorded.
        var takenEarly = new List<(string JobId, Guid FollowUpId)>();
        void Grab(string job) => takenEarly.AddRange(Fixture.Scheduler.TakeDue(Fixture.Clock.GetUtcNow()));
        Fixture.Scheduler.Scheduled += Grab;
        try
        {
            await Fixture.SendAsync(new SweepFollowUps.Command());
        }
        finally
        {
            Fixture.Scheduler.Scheduled -= Grab;
        }

        Assert.Empty(takenEarly);
        await Fixture.RunDueFollowUpsAsync();
        Assert.Equal(1, await RemindersAsync(first.Id));
        Assert.Equal(1, await RemindersAsync(second.Id));
    }
}

public sealed class FollowUpsOnSqlite(SqliteSliceFixture fixture) : FollowUpTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class FollowUpsOnPostgres(PostgresSliceFixture fixture) : FollowUpTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
