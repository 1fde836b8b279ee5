using PosSupport.Core.FollowUps;
using static PosSupport.Core.Tests.FollowUps.China2026;

namespace PosSupport.Core.Tests.FollowUps;

public class SlaClockTests
{
    private const double WarnAt = 0.8;

    private static SlaStatus Clock(TimeSpan target, DateTimeOffset opened, DateTimeOffset now, DateTimeOffset? met = null, params SlaPause[] pauses) =>
        SlaClock.Compute(Calendar, target, WarnAt, opened, pauses, met, now);

    private static TimeSpan Hours(double hours) => TimeSpan.FromHours(hours);

    [Fact]
    public void An_sla_opened_on_friday_afternoon_falls_due_on_monday()
    {
        var status = Clock(Hours(4), opened: At(11, 20, 16), now: At(11, 23, 10));

        Assert.Equal(At(11, 23, 11), status.Due);
        Assert.Equal(Hours(3), status.Elapsed);
        Assert.Equal(Hours(1), status.Remaining);
        Assert.False(status.IsBreached);
        Assert.False(status.IsPaused);
        Assert.False(status.IsMet);
    }

    [Fact]
    public void An_sla_over_national_day_does_not_run_during_the_holiday()
    {
        var status = Clock(Hours(9), opened: At(9, 30, 17), now: At(10, 7, 17));

        Assert.Equal(At(10, 8, 17), status.Due);
        Assert.Equal(Hours(1), status.Elapsed);
        Assert.False(status.IsWarned);
        Assert.False(status.IsBreached);
    }

    [Fact]
    public void An_sla_runs_on_an_adjusted_working_saturday()
    {
        var status = Clock(Hours(2), opened: At(10, 9, 17), now: At(10, 10, 10));

        Assert.Equal(At(10, 10, 10), status.Due);
        Assert.Equal(Hours(2), status.Elapsed);
        Assert.True(status.IsBreached);
    }

    [Fact]
    public void Waiting_on_the_merchant_stops_the_clock_and_moves_the_due_time()
    {
        var status = Clock(Hours(8), opened: At(11, 23, 9), now: At(11, 23, 15),
            pauses: new SlaPause(At(11, 23, 10), At(11, 23, 14)));

        Assert.Equal(Hours(2), status.Elapsed);
        Assert.Equal(Hours(6), status.Remaining);
        Assert.Equal(At(11, 24, 12), status.Due);
        Assert.False(status.IsPaused);
    }

    [Fact]
    public void While_the_case_waits_on_the_merchant_the_clock_is_paused_and_due_assumes_it_resumes_now()
    {
        var status = Clock(Hours(8), opened: At(11, 23, 9), now: At(11, 23, 15),
            pauses: new SlaPause(At(11, 23, 10), null));

        Assert.True(status.IsPaused);
        Assert.Equal(Hours(1), status.Elapsed);
        Assert.Equal(At(11, 24, 13), status.Due);

        var later = Clock(Hours(8), opened: At(11, 23, 9), now: At(11, 26, 15),
            pauses: new SlaPause(At(11, 23, 10), null));
        Assert.Equal(Hours(1), later.Elapsed);
        Assert.False(later.IsBreached);
    }

    [Fact]
    public void Overlapping_pauses_count_once()
    {
        var status = Clock(Hours(8), opened: At(11, 23, 9), now: At(11, 23, 15),
            met: null,
            new SlaPause(At(11, 23, 10), At(11, 23, 13)),
            new SlaPause(At(11, 23, 12), At(11, 23, 14)));

        Assert.Equal(Hours(2), status.Elapsed);
    }

    [Fact]
    public void The_sla_is_warned_at_eighty_percent_of_the_target()
    {
        var justBefore = Clock(Hours(10), opened: At(11, 23, 9), now: At(11, 23, 16, 59));
        var atEightyPercent = Clock(Hours(10), opened: At(11, 23, 9), now: At(11, 23, 17));

        Assert.False(justBefore.IsWarned);
        Assert.True(atEightyPercent.IsWarned);
        Assert.False(atEightyPercent.IsBreached);
        Assert.Equal(At(11, 23, 17), atEightyPercent.WarnAt);
        Assert.Equal(At(11, 24, 10), atEightyPercent.Due);
    }

    [Fact]
    public void The_sla_is_breached_once_the_due_time_passes_unmet()
    {
        var before = Clock(Hours(2), opened: At(11, 23, 9), now: At(11, 23, 10, 59));
        var at = Clock(Hours(2), opened: At(11, 23, 9), now: At(11, 23, 11));

        Assert.False(before.IsBreached);
        Assert.True(at.IsBreached);
        Assert.True(at.IsWarned);
        Assert.Equal(TimeSpan.Zero, at.Remaining);
    }

    [Fact]
    public void An_sla_met_before_it_is_due_stops_and_is_never_breached()
    {
        var status = Clock(Hours(2), opened: At(11, 23, 9), now: At(11, 30, 9), met: At(11, 23, 10, 30));

        Assert.True(status.IsMet);
        Assert.Equal(At(11, 23, 10, 30), status.MetAt);
        Assert.False(status.IsBreached);
        Assert.False(status.IsWarned);
        Assert.Equal(Hours(1.5), status.Elapsed);
        Assert.Equal(Hours(0.5), status.Remaining);
        Assert.Equal(At(11, 23, 11), status.Due);
    }

    [Fact]
    public void An_sla_met_after_it_was_due_stays_breached()
    {
        var status = Clock(Hours(2), opened: At(11, 23, 9), now: At(11, 30, 9), met: At(11, 23, 12));

        Assert.True(status.IsMet);
        Assert.True(status.IsBreached);
        Assert.Equal(Hours(3), status.Elapsed);
    }

    [Fact]
    public void A_pause_after_the_sla_was_met_changes_nothing()
    {
        var status = Clock(Hours(2), opened: At(11, 23, 9), now: At(11, 30, 9), met: At(11, 23, 10),
            pauses: new SlaPause(At(11, 23, 10, 30), null));

        Assert.False(status.IsPaused);
        Assert.Equal(At(11, 23, 11), status.Due);
        Assert.Equal(Hours(1), status.Elapsed);
    }

    [Fact]
    public void The_same_facts_give_the_same_status_however_often_it_is_recomputed()
    {
        var pauses = new[] { new SlaPause(At(9, 30, 16), At(10, 8, 10)) };
        var first = SlaClock.Compute(Calendar, Hours(9), WarnAt, At(9, 30, 9), pauses, null, At(10, 9, 9));
        var second = SlaClock.Compute(Calendar, Hours(9), WarnAt, At(9, 30, 9), pauses, null, At(10, 9, 9));

        Assert.Equal(first, second);
        Assert.Equal(Hours(7) + Hours(8), first.Elapsed);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_warning_fraction_outside_zero_to_one_is_rejected(double fraction)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SlaClock.Compute(Calendar, Hours(1), fraction, At(11, 23, 9), [], null, At(11, 23, 10)));
    }
}
