using System.Text.Json;
using PosSupport.Core.Cases;
using PosSupport.Core.FollowUps;
using PosSupport.Core.Tests.Workflows;
using static PosSupport.Core.Tests.FollowUps.China2026;

namespace PosSupport.Core.Tests.FollowUps;

/// <summary>SLA clocks derived from a case's event log, in the 2026 calendar (Beijing time, 09:00–18:00).</summary>
public sealed class CaseSlaTests
{
    private static readonly Core.Workflows.WorkflowDefinition DataFee = RandomCases.ShippedWorkflows.Get("data-fee-cancellation", 1);

    private static SlaEvent Opened(DateTimeOffset at, string state = "gathering-contract", string actor = "customer") =>
        new() { Kind = "opened", Actor = actor, Visibility = "merchant", At = at, Data = JsonSerializer.Serialize(new { state }) };

    private static SlaEvent Moved(DateTimeOffset at, string to, string actor = "system") =>
        new() { Kind = "transition", Actor = actor, Visibility = "merchant", At = at, Data = JsonSerializer.Serialize(new { to }) };

    private static SlaEvent Reply(DateTimeOffset at) =>
        new() { Kind = "message", Actor = "agent", Visibility = "merchant", At = at, Data = "{}" };

    private static CaseRecord Case(DateTimeOffset opened, string state, string kind, string priority = "normal") => new()
    {
        Id = Guid.NewGuid(), Number = "DF-2026-000001", WorkflowId = "data-fee-cancellation", WorkflowVersion = 1,
        State = state, StateKind = kind, Priority = priority, OpenedAt = opened, UpdatedAt = opened,
    };

    private static SlaStatus Clock(SlaClockKind clock, CaseRecord record, DateTimeOffset now, params SlaEvent[] events) =>
        CaseSla.Compute(clock, record, DataFee, events, Calendar, now)!;

    [Fact]
    public void A_first_response_target_of_four_hours_opened_late_on_friday_falls_due_on_monday_morning()
    {
        var opened = At(11, 20, 17, 0);

        var status = Clock(SlaClockKind.FirstResponse, Case(opened, "gathering-contract", "active"), opened, Opened(opened));

        Assert.Equal(At(11, 23, 12, 0), status.Due);
        Assert.Equal(At(11, 23, 11, 12), status.WarnAt);
    }

    [Fact]
    public void The_national_day_holiday_does_not_count_and_the_adjusted_working_saturday_does()
    {
        var beforeHoliday = At(9, 30, 17, 0);
        var beforeSaturday = At(10, 9, 17, 0);

        Assert.Equal(At(10, 8, 12, 0),
            Clock(SlaClockKind.FirstResponse, Case(beforeHoliday, "gathering-contract", "active"), beforeHoliday, Opened(beforeHoliday)).Due);
        Assert.Equal(At(10, 10, 12, 0),
            Clock(SlaClockKind.FirstResponse, Case(beforeSaturday, "gathering-contract", "active"), beforeSaturday, Opened(beforeSaturday)).Due);
    }

    [Fact]
    public void Time_waiting_for_the_merchants_evidence_does_not_count_towards_resolution()
    {
        var opened = At(11, 23, 10, 0);
        var record = Case(opened, "assessing", "active");
        SlaEvent[] events = [Opened(opened), Moved(At(11, 23, 10, 0), "collecting-evidence"), Moved(At(11, 25, 15, 0), "assessing", "agent")];

        var status = Clock(SlaClockKind.Resolution, record, At(11, 25, 16, 0), events);

        // Five working days (45 h) less the one hour since the evidence came: the two days waiting are not ours.
        Assert.Equal(TimeSpan.FromHours(1), status.Elapsed);
        Assert.Equal(Calendar.AddBusinessTime(At(11, 25, 15, 0), TimeSpan.FromHours(45)), status.Due);
        Assert.False(status.IsPaused);
    }

    [Fact]
    public void While_the_case_waits_the_clock_says_paused_and_moves_its_due_time_on()
    {
        var opened = At(11, 23, 10, 0);
        var record = Case(opened, "collecting-evidence", "waiting-on-merchant");
        SlaEvent[] events = [Opened(opened), Moved(At(11, 23, 11, 0), "collecting-evidence")];

        var monday = Clock(SlaClockKind.Resolution, record, At(11, 23, 12, 0), events);
        var tuesday = Clock(SlaClockKind.Resolution, record, At(11, 24, 12, 0), events);

        Assert.True(monday.IsPaused);
        Assert.Equal(TimeSpan.FromHours(1), tuesday.Elapsed);
        // A day more of waiting moves the due time a working day on.
        Assert.Equal(TimeSpan.FromDays(1), tuesday.Due - monday.Due);
    }

    [Fact]
    public void The_first_reply_of_an_agent_meets_the_first_response_target_and_an_automatic_message_does_not()
    {
        var opened = At(11, 23, 10, 0);
        var record = Case(opened, "collecting-evidence", "waiting-on-merchant");
        var automatic = new SlaEvent { Kind = "message-queued", Actor = "system", Visibility = "merchant", At = At(11, 23, 10, 0), Data = "{}" };

        var status = Clock(SlaClockKind.FirstResponse, record, At(11, 24, 10, 0), Opened(opened), automatic, Reply(At(11, 23, 10, 30)));

        Assert.Equal((true, At(11, 23, 10, 30), false), (status.IsMet, status.MetAt, status.IsBreached));
    }

    [Fact]
    public void A_reopened_case_resumes_its_resolution_clock_and_the_resolved_spell_does_not_count()
    {
        var opened = At(11, 23, 10, 0);
        var record = Case(opened, "assessing", "active");
        SlaEvent[] events =
        [
            Opened(opened), Moved(At(11, 23, 12, 0), "resolved"), Moved(At(11, 24, 12, 0), "assessing", "agent"),
        ];

        var status = Clock(SlaClockKind.Resolution, record, At(11, 24, 13, 0), events);

        Assert.Equal((TimeSpan.FromHours(3), false), (status.Elapsed, status.IsMet));
    }

    [Fact]
    public void A_resolved_case_has_met_its_resolution_target_when_it_was_resolved()
    {
        var opened = At(11, 23, 10, 0);
        var record = Case(opened, "resolved", "resolved");

        var status = Clock(SlaClockKind.Resolution, record, At(12, 1, 10, 0), Opened(opened), Moved(At(11, 24, 15, 0), "resolved", "agent"));

        Assert.Equal((true, At(11, 24, 15, 0), false), (status.IsMet, status.MetAt, status.IsBreached));
    }
}
