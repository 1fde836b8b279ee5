using System.Globalization;

namespace PosSupport.Core.Workflows;

/// <summary>
/// Text a person reads, in the two languages the product ships: English and Simplified Chinese.
/// In workflow JSON it is written <c>{ "en": "...", "zh-CN": "..." }</c>.
/// </summary>
public sealed record LocalizedText(string En, string ZhCn)
{
    public static readonly CultureInfo Chinese = CultureInfo.GetCultureInfo("zh-CN");

    /// <summary>The text for <paramref name="culture"/>: Chinese for any zh culture, English otherwise.</summary>
    public string For(CultureInfo? culture) => IsChinese(culture ?? CultureInfo.CurrentUICulture) ? ZhCn : En;

    /// <summary>The text for a language tag such as <c>zh-CN</c> or <c>en</c>; unknown tags fall back to English.</summary>
    public string For(string? languageTag) =>
        languageTag is not null && languageTag.StartsWith("zh", StringComparison.OrdinalIgnoreCase) ? ZhCn : En;

    private static bool IsChinese(CultureInfo culture) =>
        culture.TwoLetterISOLanguageName.Equals("zh", StringComparison.OrdinalIgnoreCase);

    public override string ToString() => En;
}
