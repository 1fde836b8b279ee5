using PosSupport.Core.FollowUps;
using static PosSupport.Core.Tests.FollowUps.China2026;

namespace PosSupport.Core.Tests.FollowUps;

public class BusinessCalendarTests
{
    [Fact]
    public void The_shipped_2026_calendar_loads_with_its_seven_holidays_and_six_adjusted_working_days()
    {
        var year = Assert.Single(Calendar.Years);
        Assert.Equal(2026, year.Year);
        Assert.Equal(7, year.Holidays.Count);
        Assert.Equal(6, year.WorkingWeekendDays.Count);
        Assert.Equal("国庆节", year.Holidays.Single(h => h.Name.En == "National Day").Name.ZhCn);
    }

    [Theory]
    [InlineData("2026-01-01", false)] // New Year, a Thursday
    [InlineData("2026-01-04", true)]  // adjusted working Sunday
    [InlineData("2026-02-14", true)]  // adjusted working Saturday
    [InlineData("2026-02-16", false)] // Spring Festival, a Monday
    [InlineData("2026-02-23", false)] // last day of Spring Festival
    [InlineData("2026-02-24", true)]
    [InlineData("2026-02-28", true)]
    [InlineData("2026-04-06", false)] // Qingming Monday
    [InlineData("2026-05-05", false)]
    [InlineData("2026-05-09", true)]
    [InlineData("2026-06-19", false)]
    [InlineData("2026-09-20", true)]  // adjusted working Sunday
    [InlineData("2026-09-25", false)]
    [InlineData("2026-10-01", false)]
    [InlineData("2026-10-07", false)]
    [InlineData("2026-10-08", true)]
    [InlineData("2026-10-10", true)]  // adjusted working Saturday
    [InlineData("2026-10-11", false)] // an ordinary Sunday
    [InlineData("2026-11-23", true)]  // an ordinary Monday
    public void Working_days_follow_the_2026_state_council_schedule(string date, bool working)
    {
        Assert.Equal(working, Calendar.IsWorkingDay(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void A_year_without_a_file_falls_back_to_monday_to_friday()
    {
        var newYear2027 = new DateOnly(2027, 1, 1); // a Friday; the 2027 schedule is not loaded
        Assert.False(Calendar.Covers(newYear2027));
        Assert.True(Calendar.IsWorkingDay(newYear2027));
        Assert.False(Calendar.IsWorkingDay(new DateOnly(2027, 1, 2)));
    }

    [Fact]
    public void Business_time_across_a_weekend_skips_saturday_and_sunday()
    {
        var fridayAfternoon = At(11, 20, 16);
        Assert.Equal(At(11, 23, 11), Calendar.AddBusinessTime(fridayAfternoon, TimeSpan.FromHours(4)));
        Assert.Equal(TimeSpan.FromHours(4), Calendar.BusinessTimeBetween(fridayAfternoon, At(11, 23, 11)));
    }

    [Fact]
    public void Business_time_ending_at_the_close_of_day_ends_then_and_not_the_next_morning()
    {
        Assert.Equal(At(11, 23, 18), Calendar.AddBusinessTime(At(11, 23, 9), TimeSpan.FromHours(9)));
    }

    [Fact]
    public void Business_time_starting_outside_working_hours_starts_at_the_next_opening()
    {
        Assert.Equal(At(11, 24, 10), Calendar.AddBusinessTime(At(11, 23, 20), TimeSpan.FromHours(1)));
        Assert.Equal(At(11, 23, 10), Calendar.AddBusinessTime(At(11, 23, 6), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Business_time_across_national_day_skips_the_whole_golden_week()
    {
        Assert.Equal(At(10, 8, 17), Calendar.AddBusinessTime(At(9, 30, 17), TimeSpan.FromHours(9)));
        Assert.Equal(TimeSpan.FromHours(1), Calendar.BusinessTimeBetween(At(9, 30, 17), At(10, 8, 9)));
    }

    [Fact]
    public void An_adjusted_working_saturday_counts_as_a_working_day()
    {
        Assert.Equal(At(10, 10, 10), Calendar.AddBusinessTime(At(10, 9, 17), TimeSpan.FromHours(2)));
        Assert.Equal(TimeSpan.FromHours(9), Calendar.BusinessTimeBetween(At(10, 10, 0), At(10, 11, 0)));
    }

    [Fact]
    public void An_adjusted_working_sunday_counts_as_a_working_day()
    {
        Assert.Equal(At(9, 20, 9, 30), Calendar.AddBusinessTime(At(9, 18, 17, 30), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Instants_in_any_offset_come_back_in_utc()
    {
        var result = Calendar.AddBusinessTime(new DateTimeOffset(2026, 11, 23, 1, 0, 0, TimeSpan.Zero), TimeSpan.FromHours(1));
        Assert.Equal(TimeSpan.Zero, result.Offset);
        Assert.Equal(At(11, 23, 10), result);
    }

    [Fact]
    public void Business_time_between_is_zero_when_the_end_is_not_after_the_start()
    {
        Assert.Equal(TimeSpan.Zero, Calendar.BusinessTimeBetween(At(11, 24, 12), At(11, 23, 12)));
    }

    [Fact]
    public void Working_hours_and_time_zone_are_options()
    {
        var calendar = new BusinessCalendar(Calendar.Years, new BusinessCalendarOptions
        {
            WorkdayStart = new TimeOnly(8, 30),
            WorkdayEnd = new TimeOnly(12, 0),
            TimeZoneId = "UTC",
        });

        Assert.Equal(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero),
            calendar.AddBusinessTime(new DateTimeOffset(2026, 11, 23, 11, 0, 0, TimeSpan.Zero), TimeSpan.FromHours(1.5)));
    }

    [Fact]
    public void Working_hours_that_end_before_they_start_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new BusinessCalendar([], new BusinessCalendarOptions { WorkdayStart = new(18, 0), WorkdayEnd = new(9, 0) }));
    }
}
