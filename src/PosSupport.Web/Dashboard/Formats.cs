using System.Globalization;

namespace PosSupport.Web.Dashboard;

/// <summary>How the dashboard writes instants (Asia/Shanghai), money (¥ with two decimals) and rates (%).</summary>
public static class Formats
{
    public static readonly TimeZoneInfo China = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public static string Time(DateTimeOffset instant) =>
        TimeZoneInfo.ConvertTime(instant, China).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset? instant) => instant is { } value ? Time(value) : "";

    public static string Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";

    public static string Money(long fen) =>
        (fen < 0 ? "-¥" : "¥") + (Math.Abs(fen) / 100m).ToString("#,##0.00", CultureInfo.InvariantCulture);

    public static string Money(long? fen) => fen is { } value ? Money(value) : "";

    public static string Rate(int basisPoints) => (basisPoints / 100m).ToString("0.00", CultureInfo.InvariantCulture) + "%";

    /// <summary>"¥12.34" or "12.34" typed by a person → fen; null when it is not an amount.</summary>
    public static long? ParseYuan(string? text)
    {
        var trimmed = text?.Trim().TrimStart('¥', '￥').Replace(",", "", StringComparison.Ordinal).Trim();
        if (!decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var yuan)) return null;
        var fen = yuan * 100m;
        return fen == decimal.Truncate(fen) && fen <= long.MaxValue ? (long)fen : null;
    }

    /// <summary>"0.49" (percent) → 49 basis points; null when it is not a rate with at most two decimals.</summary>
    public static int? ParsePercent(string? text)
    {
        var trimmed = text?.Trim().TrimEnd('%').Trim();
        if (!decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent)) return null;
        var bp = percent * 100m;
        return bp == decimal.Truncate(bp) && bp <= 10_000 ? (int)bp : null;
    }
}
