using System.Text;
using System.Text.Json;

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

    /// <summary>
    /// A list given as one parameter, as a table with one column <c>value</c>: <c>unnest(@p)</c> of an array on
    /// PostgreSQL, <c>json_each(@p)</c> of a JSON array on SQLite (Dapper's own list expansion would bind ids as blobs
    /// there, not as the text they are stored as). One statement for any length of list; join the table to look each
    /// value up by an index. Pass the list through <see cref="List{T}(DatabaseProvider, IEnumerable{T})"/>.
    /// </summary>
    public static string ListRows(this DatabaseProvider provider, string parameter) =>
        provider == DatabaseProvider.Postgres ? $"(SELECT unnest({parameter}) AS value)" : $"(SELECT value FROM json_each({parameter}))";

    /// <summary>The parameter value for <see cref="ListRows"/>: the array itself, or its JSON (ids as lower-case "D" text).</summary>
    public static object List<T>(this DatabaseProvider provider, IEnumerable<T> values) =>
        provider == DatabaseProvider.Postgres ? values.ToArray() : JsonSerializer.Serialize(values);

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
