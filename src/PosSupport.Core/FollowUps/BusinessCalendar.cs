using System.Globalization;
using System.Text.Json;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.FollowUps;

/// <summary>Working hours and time zone of a deployment's business calendar.</summary>
public sealed class BusinessCalendarOptions
{
    public TimeOnly WorkdayStart { get; init; } = new(9, 0);
    public TimeOnly WorkdayEnd { get; init; } = new(18, 0);
    /// <summary>Days that are working days unless a year file says otherwise.</summary>
    public IReadOnlyCollection<DayOfWeek> WorkingDaysOfWeek { get; init; } =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];
    /// <summary>IANA (or Windows) time zone id in which working hours are read.</summary>
    public string TimeZoneId { get; init; } = "Asia/Shanghai";

    public void Validate()
    {
        if (WorkdayEnd <= WorkdayStart)
            throw new ArgumentException($"Working hours must end after they start ({WorkdayStart:HH\\:mm}–{WorkdayEnd:HH\\:mm}).");
        if (WorkingDaysOfWeek.Count == 0)
            throw new ArgumentException("At least one day of the week must be a working day.");
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZoneId, out _))
            throw new ArgumentException($"Unknown time zone '{TimeZoneId}'.");
    }
}

/// <summary>One public holiday: the days off from <see cref="From"/> to <see cref="To"/>, both inclusive.</summary>
public sealed record PublicHoliday(LocalizedText Name, DateOnly From, DateOnly To);

/// <summary>One year's schedule as published by the State Council: days off and adjusted working weekend days (调休).</summary>
public sealed record CalendarYear(int Year, IReadOnlyList<PublicHoliday> Holidays, IReadOnlyList<DateOnly> WorkingWeekendDays, string SourceFile);

/// <summary>Every problem found in a directory of calendar year files, each prefixed with its file name.</summary>
public sealed class BusinessCalendarException(IReadOnlyList<string> errors)
    : InvalidOperationException("Business calendar is invalid:" + Environment.NewLine + string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>
/// Counts business time: working hours on working days, in the calendar's time zone.
/// Holidays and adjusted working weekend days come from year files (<c>workflows/calendars/*.json</c>);
/// a later year is added by dropping in its file, never by code. A date in a year with no file falls back
/// to <see cref="BusinessCalendarOptions.WorkingDaysOfWeek"/> (Mon–Fri by default) with no holidays.
/// All instants are accepted in any offset and returned in UTC. Immutable; safe to share across threads.
/// </summary>
public sealed class BusinessCalendar
{
    private readonly BusinessCalendarOptions _options;
    private readonly TimeZoneInfo _zone;
    private readonly HashSet<int> _years;
    private readonly HashSet<DayOfWeek> _workingDaysOfWeek;
    private readonly HashSet<DateOnly> _daysOff = [];
    private readonly HashSet<DateOnly> _workingWeekendDays = [];

    public BusinessCalendar(IEnumerable<CalendarYear> years, BusinessCalendarOptions? options = null)
    {
        _options = options ?? new BusinessCalendarOptions();
        _options.Validate();
        _zone = TimeZoneInfo.FindSystemTimeZoneById(_options.TimeZoneId);
        _workingDaysOfWeek = [.. _options.WorkingDaysOfWeek];

        var list = years.ToList();
        var errors = Check(list);
        if (errors.Count > 0)
            throw new BusinessCalendarException(errors);

        Years = list.OrderBy(y => y.Year).ToList();
        _years = [.. list.Select(y => y.Year)];
        foreach (var year in list)
        {
            foreach (var holiday in year.Holidays)
                for (var day = holiday.From; day <= holiday.To; day = day.AddDays(1))
                    _daysOff.Add(day);
            _workingWeekendDays.UnionWith(year.WorkingWeekendDays);
        }
    }

    public IReadOnlyList<CalendarYear> Years { get; }
    public TimeZoneInfo TimeZone => _zone;

    /// <summary>Reads every <c>*.json</c> in <paramref name="directory"/>; throws <see cref="BusinessCalendarException"/> listing all problems.</summary>
    public static BusinessCalendar Load(string directory, BusinessCalendarOptions? options = null)
    {
        if (!Directory.Exists(directory))
            throw new BusinessCalendarException([$"{directory}: calendar directory not found"]);

        var files = Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
            throw new BusinessCalendarException([$"{directory}: no calendar year files (*.json) found"]);

        var errors = new List<string>();
        var years = new List<CalendarYear>();
        foreach (var file in files)
        {
            var year = CalendarYearReader.Read(file, errors);
            if (year is not null)
                years.Add(year);
        }
        errors.AddRange(Check(years));
        if (errors.Count > 0)
            throw new BusinessCalendarException(errors);
        return new BusinessCalendar(years, options);
    }

    private static List<string> Check(IReadOnlyList<CalendarYear> years)
    {
        var errors = new List<string>();
        foreach (var group in years.GroupBy(y => y.Year).Where(g => g.Count() > 1))
            errors.Add($"{Name(group.Last().SourceFile)}: year {group.Key} is already defined by {string.Join(", ", group.SkipLast(1).Select(y => Name(y.SourceFile)))}");
        return errors;
    }

    internal static string Name(string file) => Path.GetFileName(file) is { Length: > 0 } name ? name : file;

    /// <summary>Whether <paramref name="date"/> is a working day: an adjusted working weekend day, or a usual working
    /// day of the week that is not a public holiday. Years without a file fall back to the usual days of the week.</summary>
    public bool IsWorkingDay(DateOnly date)
    {
        if (_workingWeekendDays.Contains(date))
            return true;
        if (_daysOff.Contains(date))
            return false;
        return _workingDaysOfWeek.Contains(date.DayOfWeek);
    }

    /// <summary>Length of one working day (working hours end minus start), e.g. 9 hours for 09:00–18:00.</summary>
    public TimeSpan WorkingDay => _options.WorkdayEnd - _options.WorkdayStart;

    /// <summary>
    /// A target as written in a workflow (ISO 8601) in business time: each whole day is one working day, hours and
    /// minutes are working hours. "P5D" is five working days (45 hours of 09:00–18:00), not 120 working hours.
    /// </summary>
    public TimeSpan WorkingTime(TimeSpan target) => WorkingDay * target.Days + (target - TimeSpan.FromDays(target.Days));

    /// <summary>Whether <paramref name="date"/>'s year has a year file (otherwise <see cref="IsWorkingDay"/> is a guess).</summary>
    public bool Covers(DateOnly date) => _years.Contains(date.Year);

    /// <summary>The first instant (UTC) at which <paramref name="businessDuration"/> of working time has passed since
    /// <paramref name="start"/>. A duration that ends exactly at the close of a working day ends then, not the next morning.</summary>
    public DateTimeOffset AddBusinessTime(DateTimeOffset start, TimeSpan businessDuration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(businessDuration, TimeSpan.Zero);
        start = start.ToUniversalTime();
        if (businessDuration == TimeSpan.Zero)
            return start;

        var remaining = businessDuration;
        for (var day = LocalDate(start); ; day = day.AddDays(1))
        {
            if (!IsWorkingDay(day))
                continue;
            var (open, close) = Window(day);
            var from = open > start ? open : start;
            if (from >= close)
                continue;
            var available = close - from;
            if (remaining <= available)
                return from + remaining;
            remaining -= available;
        }
    }

    /// <summary>Working time between two instants; zero when <paramref name="to"/> is not after <paramref name="from"/>.</summary>
    public TimeSpan BusinessTimeBetween(DateTimeOffset from, DateTimeOffset to)
    {
        from = from.ToUniversalTime();
        to = to.ToUniversalTime();
        if (to <= from)
            return TimeSpan.Zero;

        var total = TimeSpan.Zero;
        var last = LocalDate(to);
        for (var day = LocalDate(from); day <= last; day = day.AddDays(1))
        {
            if (!IsWorkingDay(day))
                continue;
            var (open, close) = Window(day);
            var start = open > from ? open : from;
            var end = close < to ? close : to;
            if (end > start)
                total += end - start;
        }
        return total;
    }

    private DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, _zone).DateTime);

    private (DateTimeOffset Open, DateTimeOffset Close) Window(DateOnly day) =>
        (ToUtc(day.ToDateTime(_options.WorkdayStart)), ToUtc(day.ToDateTime(_options.WorkdayEnd)));

    // GetUtcOffset rather than ConvertTimeToUtc: a working-hours boundary inside a DST gap must not throw
    // (Asia/Shanghai has no DST, but the zone is configurable).
    private DateTimeOffset ToUtc(DateTime local) => new DateTimeOffset(local, _zone.GetUtcOffset(local)).ToUniversalTime();
}

/// <summary>Reads one calendar year file, reporting every problem with the file's name.</summary>
internal static class CalendarYearReader
{
    public static CalendarYear? Read(string file, List<string> errors)
    {
        var name = BusinessCalendar.Name(file);
        var before = errors.Count;
        void Error(string message) => errors.Add($"{name}: {message}");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            Error($"not valid JSON: {e.Message}");
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                Error("$: expected an object with year, holidays and workingWeekendDays");
                return null;
            }
            if (!root.TryGetProperty("year", out var yearElement) || !yearElement.TryGetInt32(out var year) || year is < 1900 or > 9999)
            {
                Error("$.year: expected a year such as 2026");
                return null;
            }

            DateOnly? Date(JsonElement element, string path)
            {
                if (element.ValueKind == JsonValueKind.String
                    && DateOnly.TryParseExact(element.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    if (date.Year == year)
                        return date;
                    Error($"{path}: {date:yyyy-MM-dd} is not in {year}");
                    return null;
                }
                Error($"{path}: '{element}' is not a date (yyyy-MM-dd)");
                return null;
            }

            var holidays = new List<PublicHoliday>();
            var dayOwner = new Dictionary<DateOnly, string>();
            if (!root.TryGetProperty("holidays", out var holidaysElement) || holidaysElement.ValueKind != JsonValueKind.Array)
                Error("$.holidays: expected an array");
            else
            {
                var index = 0;
                foreach (var item in holidaysElement.EnumerateArray())
                {
                    var path = $"$.holidays[{index++}]";
                    if (item.ValueKind != JsonValueKind.Object)
                    {
                        Error($"{path}: expected an object with name, from and to");
                        continue;
                    }
                    var text = Text(item, path, Error);
                    DateOnly? from = item.TryGetProperty("from", out var f) ? Date(f, path + ".from") : Missing(path + ".from");
                    DateOnly? to = item.TryGetProperty("to", out var t) ? Date(t, path + ".to") : Missing(path + ".to");
                    if (from is null || to is null || text is null)
                        continue;
                    if (to < from)
                    {
                        Error($"{path}: 'to' {to:yyyy-MM-dd} is before 'from' {from:yyyy-MM-dd}");
                        continue;
                    }
                    for (var day = from.Value; day <= to.Value; day = day.AddDays(1))
                        if (!dayOwner.TryAdd(day, text.En))
                            Error($"{path}: {day:yyyy-MM-dd} is already a day off of {dayOwner[day]}");
                    holidays.Add(new PublicHoliday(text, from.Value, to.Value));
                }
            }

            var working = new List<DateOnly>();
            if (!root.TryGetProperty("workingWeekendDays", out var workingElement) || workingElement.ValueKind != JsonValueKind.Array)
                Error("$.workingWeekendDays: expected an array (empty if none)");
            else
            {
                var index = 0;
                foreach (var item in workingElement.EnumerateArray())
                {
                    var path = $"$.workingWeekendDays[{index++}]";
                    if (Date(item, path) is not { } day)
                        continue;
                    if (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
                        Error($"{path}: {day:yyyy-MM-dd} is a {day.DayOfWeek}, not a weekend day");
                    else if (dayOwner.TryGetValue(day, out var holiday))
                        Error($"{path}: {day:yyyy-MM-dd} is also a day off of {holiday}");
                    else if (working.Contains(day))
                        Error($"{path}: {day:yyyy-MM-dd} is listed twice");
                    else
                        working.Add(day);
                }
            }

            return errors.Count == before ? new CalendarYear(year, holidays, working, file) : null;

            DateOnly? Missing(string path)
            {
                Error($"{path}: required");
                return null;
            }
        }
    }

    private static LocalizedText? Text(JsonElement holiday, string path, Action<string> error)
    {
        if (holiday.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.Object
            && name.TryGetProperty("en", out var en) && en.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(en.GetString())
            && name.TryGetProperty("zh-CN", out var zh) && zh.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(zh.GetString()))
            return new LocalizedText(en.GetString()!, zh.GetString()!);
        error($"{path}.name: expected {{ \"en\": ..., \"zh-CN\": ... }}");
        return null;
    }
}
