using System.Text.RegularExpressions;

namespace PosSupport.Core.Workflows;

/// <summary>JSONPath strings for error messages: <c>$.states['collecting-evidence'].transitions[0].to</c>.</summary>
internal static partial class JsonPath
{
    public const string Root = "$";

    public static string Property(string parent, string name) =>
        IdentifierLike().IsMatch(name) ? $"{parent}.{name}" : $"{parent}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";

    public static string Index(string parent, int index) => $"{parent}[{index}]";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex IdentifierLike();
}
