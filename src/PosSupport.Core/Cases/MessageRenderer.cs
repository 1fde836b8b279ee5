using System.Globalization;
using System.Text.RegularExpressions;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Cases;

/// <summary>Fills a workflow message template for one case, in the recipient's language.</summary>
public sealed partial class MessageRenderer(CaseSession session, CaseStore store)
{
    public Task<string> RenderAsync(LocalizedText template, string language, CaseRecord record, WorkflowDefinition workflow,
        CancellationToken cancellationToken) =>
        RenderAsync(template, language, record, workflow, null, cancellationToken);

    /// <param name="amountFen">The <c>{amount}</c> when the caller knows it (e.g. the refund just instructed). Otherwise the amount
    /// charged on the case, or for a case without one (device replacement) the replacement fee: agreed, else as quoted by the contract.</param>
    public async Task<string> RenderAsync(LocalizedText template, string language, CaseRecord record, WorkflowDefinition workflow,
        long? amountFen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(workflow);
        var text = template.For(language);
        var needed = Placeholder().Matches(text).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        if (needed.Count == 0) return text;

        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["caseNumber"] = record.Number,
            ["trackingNumber"] = record.TrackingNumber ?? "",
        };
        if (needed.Contains("amount"))
            values["amount"] = Money(amountFen ?? record.ClaimAmountFen ?? (record.AgreedFeeFen > 0 ? record.AgreedFeeFen
                : await session.ExecuteScalarAsync<long?>("SELECT replacement_fee_fen FROM case_contracts WHERE case_id = @id", new { id = record.Id },
                    cancellationToken).ConfigureAwait(false) ?? 0), language);
        if (needed.Contains("merchantName"))
            values["merchantName"] = await session.ExecuteScalarAsync<string>("SELECT name FROM merchants WHERE id = @id", new { id = record.MerchantId }, cancellationToken)
                .ConfigureAwait(false) ?? "";
        if (needed.Contains("deviceSerial"))
            values["deviceSerial"] = record.DeviceId is null ? "" : await session.ExecuteScalarAsync<string>(
                "SELECT serial_number FROM devices WHERE id = @id", new { id = record.DeviceId }, cancellationToken).ConfigureAwait(false) ?? "";
        if (needed.Contains("missingEvidence"))
        {
            var state = workflow.State(record.State);
            var accepted = await store.AcceptedEvidenceTypesAsync(record.Id, cancellationToken).ConfigureAwait(false);
            values["missingEvidence"] = string.Join(IsChinese(language) ? "、" : ", ", state.RequiresEvidence
                .Where(t => !accepted.Contains(t))
                .Select(t => EvidenceCatalog.All.TryGetValue(t, out var e) ? e.Title.For(language) : t));
        }
        if (needed.Contains("offerSummary") || needed.Contains("offerExpiresAt"))
        {
            var offer = await session.QuerySingleOrDefaultAsync<OfferRecord>(
                $"SELECT {OfferRecord.Columns} FROM offers WHERE case_id = @id ORDER BY proposed_at DESC LIMIT 1", new { id = record.Id }, cancellationToken)
                .ConfigureAwait(false);
            values["offerSummary"] = offer is null ? "" : $"{OfferKinds.Title(offer.Kind).For(language)} {Money(offer.AmountFen, language)}";
            values["offerExpiresAt"] = offer?.ExpiresAt is { } expires ? Instant(expires, language) : "";
        }
        if (needed.Contains("dueAt"))
        {
            var due = await session.ExecuteScalarAsync<DateTimeOffset?>(NextDueSql, new { id = record.Id }, cancellationToken).ConfigureAwait(false);
            values["dueAt"] = due is { } d ? Instant(d, language) : "";
        }
        return Placeholder().Replace(text, m => values.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);
    }

    /// <summary>The case's next pending follow-up time: a range of ix_follow_ups_pending_case.</summary>
    internal const string NextDueSql = "SELECT MIN(due_at) FROM follow_ups WHERE case_id = @id AND status = 'pending'";

    /// <summary>CNY from fen: "¥123.45" in English, "123.45 元" in Chinese.</summary>
    public static string Money(long fen, string language)
    {
        var yuan = (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);
        return IsChinese(language) ? $"{yuan} 元" : $"¥{yuan}";
    }

    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private static string Instant(DateTimeOffset instant, string language) =>
        TimeZoneInfo.ConvertTime(instant, Shanghai).ToString(IsChinese(language) ? "yyyy年M月d日 HH:mm" : "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static bool IsChinese(string language) => language.StartsWith("zh", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex Placeholder();
}

/// <summary>The kinds of offer a case can carry, as the workflows' <c>propose-offer</c> choice spells them.</summary>
public static class OfferKinds
{
    private static readonly Dictionary<string, LocalizedText> Titles = new(StringComparer.Ordinal)
    {
        ["full-refund"] = new("Full refund", "全额退款"),
        ["partial-refund"] = new("Partial refund", "部分退款"),
        ["waive-next-year"] = new("Next year's fee waived", "免除下一年费用"),
        ["plan-change"] = new("Switch to a cheaper plan", "更换为更优惠的套餐"),
        ["points-credit"] = new("Loyalty points credit", "积分补偿"),
        ["refund-difference"] = new("Refund of the rate difference", "退还费率差额"),
        ["waive"] = new("Replacement fee waived", "免除换机费"),
        ["reduce"] = new("Replacement fee reduced by", "换机费减免"),
        ["split"] = new("Replacement fee shared: we cover", "换机费分担，我方承担"),
        ["replacement-fee"] = new("Replacement fee", "换机费"),
    };

    public static bool IsKnown(string kind) => Titles.ContainsKey(kind);

    public static LocalizedText Title(string kind) => Titles.TryGetValue(kind, out var title) ? title : new(kind, kind);
}
