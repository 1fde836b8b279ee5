using CsCheck;
using PosSupport.Core.FollowUps;
using static PosSupport.Core.Tests.FollowUps.China2026;

namespace PosSupport.Core.Tests.FollowUps;

public class BusinessCalendarPropertyTests
{
    // From December 2025 to February 2027: across every 2026 holiday and into the Mon–Fri fallback either side.
    private static readonly Gen<DateTimeOffset> Instant =
        Gen.Long[new DateTimeOffset(2025, 12, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks, new DateTimeOffset(2027, 2, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks]
            .Select(ticks => new DateTimeOffset(ticks, TimeSpan.Zero));

    // Up to 400 business hours (about ten working weeks), to the tick.
    private static readonly Gen<TimeSpan> Duration = Gen.Long[0, TimeSpan.FromHours(400).Ticks].Select(TimeSpan.FromTicks);

    [Fact]
    public void Business_time_between_a_start_and_that_start_plus_a_duration_is_the_duration()
    {
        Gen.Select(Instant, Duration).Sample((start, duration) =>
            Calendar.BusinessTimeBetween(start, Calendar.AddBusinessTime(start, duration)) == duration);
    }

    [Fact]
    public void Adding_business_time_ends_within_working_hours_of_a_working_day()
    {
        Gen.Select(Instant, Duration.Where(d => d > TimeSpan.Zero)).Sample((start, duration) =>
        {
            var end = Calendar.AddBusinessTime(start, duration);
            var local = TimeZoneInfo.ConvertTime(end, Calendar.TimeZone);
            var time = TimeOnly.FromDateTime(local.DateTime);
            return end > start && Calendar.IsWorkingDay(DateOnly.FromDateTime(local.DateTime))
                && time > new TimeOnly(9, 0) && time <= new TimeOnly(18, 0);
        });
    }

    [Fact]
    public void Business_time_between_adds_up_over_any_midpoint()
    {
        Gen.Select(Instant, Instant, Instant).Sample((a, b, c) =>
        {
            var ordered = new[] { a, b, c }.Order().ToArray();
            return Calendar.BusinessTimeBetween(ordered[0], ordered[2])
                == Calendar.BusinessTimeBetween(ordered[0], ordered[1]) + Calendar.BusinessTimeBetween(ordered[1], ordered[2]);
        });
    }

    [Fact]
    public void An_sla_clock_read_at_its_due_time_has_run_exactly_its_target_whatever_the_pauses()
    {
        var pause = Gen.Select(Instant, Duration).Select((from, length) => new SlaPause(from, from + length));
        Gen.Select(Instant, Duration.Where(d => d > TimeSpan.Zero), pause.Array[0, 4]).Sample((opened, target, pauses) =>
        {
            // Read long after every pause has ended, the due time is final; read again at that instant it must agree.
            var due = SlaClock.Compute(Calendar, target, 0.8, opened, pauses, null, new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero)).Due;
            var atDue = SlaClock.Compute(Calendar, target, 0.8, opened, pauses, null, due);
            return atDue.Due == due && atDue.Elapsed == target && atDue.IsBreached && atDue.Remaining == TimeSpan.Zero;
        });
    }
}
