using System.Globalization;
using System.Text.RegularExpressions;

namespace PosSupport.Core.Workflows;

/// <summary>
/// ISO-8601 durations limited to exact units (weeks, days, hours, minutes, seconds). Years and months are
/// refused: their length depends on the calendar, and follow-up clocks must not.
/// </summary>
public static partial class IsoDuration
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (text is null) return false;
        var match = Pattern().Match(text);
        if (!match.Success) return false;
        try
        {
            checked
            {
                long seconds = 0;
                seconds += Part(match, "w") * 7 * 86_400;
                seconds += Part(match, "d") * 86_400;
                seconds += Part(match, "h") * 3_600;
                seconds += Part(match, "m") * 60;
                seconds += Part(match, "s");
                if (seconds > (long)TimeSpan.MaxValue.TotalSeconds) return false;
                duration = TimeSpan.FromSeconds(seconds);
                return true;
            }
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero) return "PT0S";
        var text = "P";
        if (duration.Days > 0) text += duration.Days.ToString(CultureInfo.InvariantCulture) + "D";
        if (duration.Hours + duration.Minutes + duration.Seconds == 0) return text;
        text += "T";
        if (duration.Hours > 0) text += duration.Hours.ToString(CultureInfo.InvariantCulture) + "H";
        if (duration.Minutes > 0) text += duration.Minutes.ToString(CultureInfo.InvariantCulture) + "M";
        if (duration.Seconds > 0) text += duration.Seconds.ToString(CultureInfo.InvariantCulture) + "S";
        return text;
    }

    private static long Part(Match match, string group) =>
        match.Groups[group].Success ? long.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : 0;

    [GeneratedRegex(@"^P(?!$)(?:(?<w>\d{1,6})W)?(?:(?<d>\d{1,6})D)?(?:T(?=\d)(?:(?<h>\d{1,6})H)?(?:(?<m>\d{1,6})M)?(?:(?<s>\d{1,6})S)?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
