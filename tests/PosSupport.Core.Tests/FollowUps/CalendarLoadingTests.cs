using PosSupport.Core.FollowUps;

namespace PosSupport.Core.Tests.FollowUps;

public sealed class CalendarLoadingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("possupport-calendar-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string Year(int year, string holidays, string workingWeekendDays = "[]") =>
        $$"""{ "year": {{year}}, "holidays": {{holidays}}, "workingWeekendDays": {{workingWeekendDays}} }""";

    private static string Holiday(string from, string to) =>
        $$"""[ { "name": { "en": "National Day", "zh-CN": "国庆节" }, "from": "{{from}}", "to": "{{to}}" } ]""";

    private BusinessCalendarException LoadFails(params (string File, string Json)[] files)
    {
        foreach (var (file, json) in files)
            File.WriteAllText(Path.Combine(_directory, file), json);
        return Assert.Throws<BusinessCalendarException>(() => BusinessCalendar.Load(_directory));
    }

    [Fact]
    public void A_bad_date_is_reported_with_the_file_name()
    {
        var error = LoadFails(("china-2027.json", Year(2027, Holiday("2027-13-01", "2027-10-07"))));

        Assert.Equal("china-2027.json: $.holidays[0].from: '2027-13-01' is not a date (yyyy-MM-dd)", Assert.Single(error.Errors));
        Assert.Contains("china-2027.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_holiday_ending_before_it_starts_is_reported_with_the_file_name()
    {
        var error = LoadFails(("china-2027.json", Year(2027, Holiday("2027-10-07", "2027-10-01"))));

        Assert.Equal("china-2027.json: $.holidays[0]: 'to' 2027-10-01 is before 'from' 2027-10-07", Assert.Single(error.Errors));
    }

    [Fact]
    public void The_same_year_in_two_files_is_reported_with_both_file_names()
    {
        var error = LoadFails(
            ("a-2027.json", Year(2027, Holiday("2027-10-01", "2027-10-07"))),
            ("b-2027.json", Year(2027, "[]")));

        Assert.Equal("b-2027.json: year 2027 is already defined by a-2027.json", Assert.Single(error.Errors));
    }

    [Fact]
    public void Every_problem_in_every_file_is_reported_at_once()
    {
        var error = LoadFails(
            ("a.json", Year(2027, Holiday("2027-10-01", "2026-10-07"), """["2027-10-12"]""")),
            ("b.json", "{ not json"));

        Assert.Equal(
            [
                "a.json: $.holidays[0].to: 2026-10-07 is not in 2027",
                "a.json: $.workingWeekendDays[0]: 2027-10-12 is a Tuesday, not a weekend day",
                "b.json: not valid JSON: " + error.Errors[2]["b.json: not valid JSON: ".Length..],
            ],
            error.Errors);
    }

    [Fact]
    public void A_working_weekend_day_that_is_also_a_day_off_is_rejected()
    {
        var error = LoadFails(("x.json", Year(2027, Holiday("2027-10-01", "2027-10-07"), """["2027-10-02"]""")));

        Assert.Equal("x.json: $.workingWeekendDays[0]: 2027-10-02 is also a day off of National Day", Assert.Single(error.Errors));
    }

    [Fact]
    public void Missing_fields_are_reported()
    {
        var error = LoadFails(("x.json", """{ "year": 2027, "holidays": [ { "from": "2027-10-01" } ] }"""));

        Assert.Equal(
            [
                "x.json: $.holidays[0].name: expected { \"en\": ..., \"zh-CN\": ... }",
                "x.json: $.holidays[0].to: required",
                "x.json: $.workingWeekendDays: expected an array (empty if none)",
            ],
            error.Errors);
    }

    [Fact]
    public void An_empty_directory_is_an_error_rather_than_a_calendar_without_holidays()
    {
        var error = Assert.Throws<BusinessCalendarException>(() => BusinessCalendar.Load(_directory));
        Assert.Contains("no calendar year files", Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void A_later_year_is_added_by_dropping_in_its_file()
    {
        File.Copy(Path.Combine(China2026.Directory, "china-2026.json"), Path.Combine(_directory, "china-2026.json"));
        File.WriteAllText(Path.Combine(_directory, "china-2027.json"), Year(2027, Holiday("2027-10-01", "2027-10-07"), """["2027-10-09"]"""));

        var calendar = BusinessCalendar.Load(_directory);

        Assert.Equal([2026, 2027], calendar.Years.Select(y => y.Year));
        Assert.False(calendar.IsWorkingDay(new DateOnly(2027, 10, 1)));
        Assert.True(calendar.IsWorkingDay(new DateOnly(2027, 10, 9)));
        Assert.False(calendar.IsWorkingDay(new DateOnly(2026, 10, 1)));
    }
}
