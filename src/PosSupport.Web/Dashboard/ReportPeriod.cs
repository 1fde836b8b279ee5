using System.Globalization;

namespace PosSupport.Web.Dashboard;

/// <summary>A report's period as people give it: whole days in Asia/Shanghai, both ends included (default: the last 30 days).</summary>
public sealed record ReportPeriod(DateOnly First, DateOnly Last)
{
    public DateTimeOffset FromUtc => Start(First);

    public DateTimeOffset ToUtc => Start(Last.AddDays(1));

    public string FirstText => First.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public string LastText => Last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static ReportPeriod Parse(string? first, string? last, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Formats.China).DateTime);
        var end = TryDate(last) ?? today;
        var start = TryDate(first) ?? end.AddDays(-29);
        return start <= end ? new ReportPeriod(start, end) : new ReportPeriod(end, start);
    }

    private static DateOnly? TryDate(string? text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

    private static DateTimeOffset Start(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, Formats.China.GetUtcOffset(local)).ToUniversalTime();
    }
}
