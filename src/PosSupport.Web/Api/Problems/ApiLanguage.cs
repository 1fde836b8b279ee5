using System.Globalization;
using Microsoft.Net.Http.Headers;
using PosSupport.Core.Workflows;

namespace PosSupport.Web.Api.Problems;

/// <summary>The language of a response, from <c>Accept-Language</c>: <c>zh-CN</c> when Chinese is preferred, English otherwise.</summary>
public static class ApiLanguage
{
    public const string English = "en";
    public const string Chinese = "zh-CN";

    public static string Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.TryGetValue(typeof(ApiLanguage), out var cached) && cached is string language) return language;
        language = Negotiate(context.Request.Headers.AcceptLanguage);
        context.Items[typeof(ApiLanguage)] = language;
        return language;
    }

    public static CultureInfo Culture(HttpContext context) => Of(context) == Chinese ? LocalizedText.Chinese : CultureInfo.GetCultureInfo("en");

    public static string Text(HttpContext context, LocalizedText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Of(context) == Chinese ? text.ZhCn : text.En;
    }

    private static string Negotiate(Microsoft.Extensions.Primitives.StringValues header)
    {
        if (!StringWithQualityHeaderValue.TryParseList(header, out var values)) return English;
        foreach (var value in values.Where(v => (v.Quality ?? 1) > 0).OrderByDescending(v => v.Quality ?? 1))
        {
            var tag = value.Value.Value ?? "";
            if (tag.StartsWith("zh", StringComparison.OrdinalIgnoreCase)) return Chinese;
            if (tag.StartsWith("en", StringComparison.OrdinalIgnoreCase) || tag == "*") return English;
        }
        return English;
    }
}
