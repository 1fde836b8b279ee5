using System.Text;

namespace PosSupport.Core.Data;

/// <summary>
/// The few SQL spellings that differ between the providers. Everything returned is a constant fragment: values
/// always travel as parameters.
/// </summary>
public static class SqlDialect
{
    /// <summary>
    /// A case-insensitive "contains" test of <paramref name="column"/> against a pattern made by
    /// <see cref="ContainsPattern"/>: <c>ILIKE</c> on PostgreSQL, <c>LIKE</c> on SQLite (which ignores case for ASCII;
    /// Chinese has none).
    /// </summary>
    public static string ContainsIgnoringCase(this DatabaseProvider provider, string column, string parameter) =>
        $"{column} {(provider == DatabaseProvider.Postgres ? "ILIKE" : "LIKE")} {parameter} ESCAPE '\\'";

    /// <summary>The LIKE pattern matching <paramref name="text"/> anywhere, with <c>%</c>, <c>_</c> and <c>\</c> taken literally.</summary>
    public static string ContainsPattern(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var pattern = new StringBuilder(text.Length + 8).Append('%');
        foreach (var c in text)
        {
            if (c is '%' or '_' or '\\') pattern.Append('\\');
            pattern.Append(c);
        }
        return pattern.Append('%').ToString();
    }
}
