using PosSupport.Core.FollowUps;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Tests.FollowUps;

public class SlaSummaryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
    private static readonly HashSet<string> None = [];

    private static SlaView Clock(SlaClockKind kind, TimeSpan elapsed, TimeSpan? target = null, bool paused = false, bool met = false)
    {
        var t = target ?? TimeSpan.FromHours(4);
        var status = new SlaStatus(t, Now + t - elapsed, Now, elapsed, elapsed < t ? t - elapsed : TimeSpan.Zero, paused, elapsed >= t * 0.8,
            !met && elapsed >= t, met, met ? Now : null, Now);
        return new SlaView(kind, CaseSla.KeyOf(kind), CaseSla.TitleOf(kind), status);
    }

    [Fact]
    public void The_running_clock_with_least_time_left_is_the_nearest_breach()
    {
        var summary = QueueSlaClocks.Summarize([Clock(SlaClockKind.FirstResponse, TimeSpan.FromHours(1)),
            Clock(SlaClockKind.Resolution, TimeSpan.FromHours(1), TimeSpan.FromHours(45))], None, None);

        Assert.Equal(new SlaSummary(SlaRisk.Normal, TimeSpan.FromHours(3)), summary);
    }

    [Fact]
    public void A_breached_clock_wins_over_a_running_one_and_paused_or_met_clocks_show_nothing()
    {
        var breached = QueueSlaClocks.Summarize([Clock(SlaClockKind.FirstResponse, TimeSpan.FromHours(5), paused: true),
            Clock(SlaClockKind.State, TimeSpan.FromMinutes(10))], None, None);
        var quiet = QueueSlaClocks.Summarize([Clock(SlaClockKind.FirstResponse, TimeSpan.FromHours(5), met: true),
            Clock(SlaClockKind.Resolution, TimeSpan.FromHours(1), TimeSpan.FromHours(45), paused: true)], None, None);

        Assert.Equal(new SlaSummary(SlaRisk.Breached, TimeSpan.FromHours(1)), breached);
        Assert.Null(quiet);
    }

    [Fact]
    public void A_fired_warning_or_breach_of_a_case_clock_colours_the_row_even_before_the_clock_says_so()
    {
        var clocks = new[] { Clock(SlaClockKind.Resolution, TimeSpan.FromHours(1), TimeSpan.FromHours(45)) };

        Assert.Equal(SlaRisk.AtRisk, QueueSlaClocks.Summarize(clocks, new HashSet<string> { CaseSla.ResolutionKey }, None)!.Risk);
        Assert.Equal(SlaRisk.Breached, QueueSlaClocks.Summarize(clocks, None, new HashSet<string> { CaseSla.ResolutionKey })!.Risk);
        Assert.Equal(SlaRisk.Normal, QueueSlaClocks.Summarize(clocks, new HashSet<string> { CaseSla.FirstResponseKey }, None)!.Risk);
    }
}
