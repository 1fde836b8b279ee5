using System.Globalization;
using Microsoft.Net.Http.Headers;
using PosSupport.Core.Workflows;
using PosSupport.Web.Api.Problems;

namespace PosSupport.Web.Api.Cases;

/// <summary>The case version as an HTTP entity tag: <c>ETag: "7"</c> on reads, <c>If-Match: "7"</c> on writes (412 when stale).</summary>
public static class CaseVersion
{
    public static string ETag(long version) => string.Create(CultureInfo.InvariantCulture, $"\"{version}\"");

    /// <summary>The version If-Match asks for; null without the header or with <c>*</c>.</summary>
    public static long? Expected(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.IfMatch;
        if (header.Count == 0) return null;
        if (EntityTagHeaderValue.TryParseList(header, out var tags) && tags.Count == 1)
        {
            var tag = tags[0];
            if (tag.Equals(EntityTagHeaderValue.Any)) return null;
            if (long.TryParse(tag.Tag.AsSpan(1, tag.Tag.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0)
                return version;
        }
        else if (header.Count == 1 && long.TryParse(header[0], NumberStyles.None, CultureInfo.InvariantCulture, out var bare) && bare > 0)
            return bare;
        throw new ApiProblemException("bad-if-match", new LocalizedText(
            "If-Match holds one case version as an entity tag, e.g. If-Match: \"7\" (the ETag of GET /api/v1/cases/{id}).",
            "If-Match 应为一个工单版本的实体标签，例如 If-Match: \"7\"（即 GET /api/v1/cases/{id} 返回的 ETag）。"));
    }
}
