using System.Globalization;
using PosSupport.Core.FollowUps;

namespace PosSupport.Web.Hosting;

/// <summary>
/// Loads the business calendar SLAs count in: year files from <c>PosSupport:Calendar:Directory</c> (default: the
/// <c>calendars</c> folder of the workflows directory, else the shipped one beside the binaries), working hours <c>PosSupport:Calendar:WorkdayStart</c> /
/// <c>WorkdayEnd</c> (default 09:00–18:00) in <c>PosSupport:Calendar:TimeZone</c> (default Asia/Shanghai).
/// </summary>
public static class CalendarStartup
{
    public const string Section = "PosSupport:Calendar";

    /// <summary>The calendar, or null after writing every problem to <paramref name="error"/>.</summary>
    public static BusinessCalendar? Load(IConfiguration configuration, string workflowsDirectory, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(error);
        var section = configuration.GetSection(Section);
        var configured = section["Directory"];
        var directory = Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? DefaultDirectory(workflowsDirectory) : configured);
        try
        {
            var defaults = new BusinessCalendarOptions();
            var options = new BusinessCalendarOptions
            {
                WorkdayStart = Time(section["WorkdayStart"], defaults.WorkdayStart, "WorkdayStart"),
                WorkdayEnd = Time(section["WorkdayEnd"], defaults.WorkdayEnd, "WorkdayEnd"),
                TimeZoneId = string.IsNullOrWhiteSpace(section["TimeZone"]) ? defaults.TimeZoneId : section["TimeZone"]!,
            };
            options.Validate();
            if (!Directory.Exists(directory))
            {
                error.WriteLine($"PosSupport cannot start: the business calendar directory {directory} does not exist ({Section}:Directory).");
                return null;
            }
            return BusinessCalendar.Load(directory, options);
        }
        catch (BusinessCalendarException e)
        {
            error.WriteLine($"PosSupport cannot start: {e.Errors.Count} problem(s) in the business calendar in {directory}");
            foreach (var problem in e.Errors) error.WriteLine(problem);
            return null;
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"PosSupport cannot start: the business calendar settings ({Section}) are not valid: {e.Message}");
            return null;
        }
    }

    // The calendars beside the workflows; a workflows directory of one's own without them keeps the shipped calendars.
    private static string DefaultDirectory(string workflowsDirectory)
    {
        var beside = Path.Combine(workflowsDirectory, "calendars");
        return Directory.Exists(beside) ? beside : Path.Combine(AppContext.BaseDirectory, "workflows", "calendars");
    }

    private static TimeOnly Time(string? text, TimeOnly fallback, string name) =>
        string.IsNullOrWhiteSpace(text) ? fallback
        : TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) ? time
        : throw new ArgumentException($"{name} must be a time of day as HH:mm, e.g. 09:00 (was '{text}').");
}
