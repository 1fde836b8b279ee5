using System.Globalization;
using System.Text;
using PosSupport.Core.Reports;

namespace PosSupport.Web.Dashboard;

/// <summary>The report as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese titles), through GetReport.</summary>
public static class ReportEndpoints
{
    public static IEndpointRouteBuilder MapReportExport(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/dashboard/reports.csv", (Delegate)ExportAsync).RequireAuthorization(StaffPolicies.Staff).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> ExportAsync(string? from, string? to, HttpContext context, RequestSender sender, TimeProvider clock)
    {
        if (StaffUser.From(context.User) is not { } user) return Results.Forbid();
        var period = ReportPeriod.Parse(from, to, clock.GetUtcNow());
        var report = await sender.SendAsync(new GetReport.Query(period.FromUtc, period.ToUtc, user.Caller), context.RequestAborted);
        var csv = ToCsv(report);
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv)).ToArray();
        return Results.File(bytes, "text/csv; charset=utf-8", $"possupport-report-{period.FirstText}-to-{period.LastText}.csv");
    }

    public static string ToCsv(GetReport.Result report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var csv = new StringBuilder();
        void Line(params object?[] cells) => csv.AppendLine(string.Join(",", cells.Select(Cell)));
        Line("section", "type", "type_title", "item", "item_title", "cases", "amount_cny", "age_under_1d", "age_1_to_3d", "age_3_to_7d", "age_over_7d",
            "mean_hours_to_resolution");
        foreach (var row in report.Backlog)
            Line("backlog", row.Type, Ui.T(row.TypeTitle), row.State, Ui.T(row.StateTitle), row.Total, null, row.Ages[0], row.Ages[1], row.Ages[2], row.Ages[3], null);
        foreach (var row in report.Outcomes)
            Line("outcome", row.Type, Ui.T(row.TypeTitle), row.Outcome, Ui.T(row.OutcomeTitle), row.Cases, null, null, null, null, null, null);
        foreach (var row in report.Money)
            Line("money", null, null, row.Kind, Ui.MoneyKind(row.Kind), row.Count, (row.TotalFen / 100m).ToString("0.00", CultureInfo.InvariantCulture),
                null, null, null, null, null);
        foreach (var row in report.Resolution)
            Line("resolution", row.Type, Ui.T(row.TypeTitle), null, null, row.Resolved, null, null, null, null, null,
                row.MeanTimeToResolution.TotalHours.ToString("0.0", CultureInfo.InvariantCulture));
        return csv.ToString();
    }

    // RFC 4180 quoting; a leading =, +, - or @ is prefixed so no spreadsheet runs a cell as a formula.
    private static string Cell(object? value)
    {
        var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@') text = "'" + text;
        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
