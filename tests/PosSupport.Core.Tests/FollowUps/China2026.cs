using PosSupport.Core.FollowUps;

namespace PosSupport.Core.Tests.FollowUps;

/// <summary>The shipped calendar (workflows/calendars, copied next to the tests) and instants written in Beijing time.</summary>
internal static class China2026
{
    public static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "workflows", "calendars");

    public static readonly BusinessCalendar Calendar = BusinessCalendar.Load(Directory);

    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    /// <summary>An instant given as Beijing wall-clock time, returned in UTC like everything the calendar hands out.</summary>
    public static DateTimeOffset At(int month, int day, int hour, int minute = 0, int year = 2026) =>
        new DateTimeOffset(year, month, day, hour, minute, 0, Beijing).ToUniversalTime();
}
