using System.Text;
using System.Text.RegularExpressions;

namespace PosSupport.Benchmarks;

/// <summary>
/// What PostgreSQL ran for the host while a phase of the load ran: the server's own log with <c>log_statement = all</c>
/// (turned on for the phase only, by <c>ALTER SYSTEM</c> and a reload, so the host's pooled sessions log too), each
/// statement sorted by where it comes from. The rows are the ones <c>docs/benchmarks.md</c> reports per command.
/// </summary>
internal static partial class StatementCensus
{
    /// <summary>The origins, in the order they are reported.</summary>
    public static readonly string[] Origins =
        ["command", "hangfire", "transaction", "idempotency", "arming", "api-key", "savepoint"];

    /// <summary>Counts the statements among the server log's <paramref name="lines"/> by origin.</summary>
    public static Dictionary<string, int> Classify(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var counts = Origins.ToDictionary(o => o, _ => 0, StringComparer.Ordinal);
        StringBuilder? statement = null;
        void Close()
        {
            if (statement is not null) counts[OriginOf(statement.ToString())]++;
            statement = null;
        }
        foreach (var line in lines)
        {
            // A new entry starts with the server's prefix and a level; a statement's further lines start with a tab.
            if (Entry().Match(line) is { Success: true } entry)
            {
                Close();
                if (entry.Groups["level"].Value == "LOG" && Statement().Match(entry.Groups["text"].Value) is { Success: true } logged)
                    statement = new StringBuilder(logged.Groups["sql"].Value);
            }
            else statement?.Append(' ').Append(line.Trim());
        }
        Close();
        return counts;
    }

    /// <summary>Where one statement comes from.</summary>
    public static string OriginOf(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var text = sql.Trim();
        if (text.Contains("hangfire", StringComparison.OrdinalIgnoreCase) || text.StartsWith("DISCARD", StringComparison.OrdinalIgnoreCase)) return "hangfire";
        if (Transaction().IsMatch(text)) return "transaction";
        if (Savepoint().IsMatch(text)) return "savepoint";
        if (text.Contains("idempotency_keys", StringComparison.Ordinal)) return "idempotency";
        if (text.Contains("api_clients", StringComparison.Ordinal) && text.Contains("key_hash", StringComparison.Ordinal)) return "api-key";
        if (text.Contains("follow_ups", StringComparison.Ordinal) && Arming().IsMatch(text)) return "arming";
        return "command";
    }

    [GeneratedRegex(@"\] (?<level>[A-Z]+):  (?<text>.*)$")]
    private static partial Regex Entry();

    [GeneratedRegex(@"^(statement|execute [^:]*): (?<sql>.*)$")]
    private static partial Regex Statement();

    [GeneratedRegex(@"^(BEGIN|COMMIT|ROLLBACK|START TRANSACTION)\b(?! TO)", RegexOptions.IgnoreCase)]
    private static partial Regex Transaction();

    [GeneratedRegex(@"^(SAVEPOINT|RELEASE|ROLLBACK TO)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Savepoint();

    // The arming loop's and the disarm step's reads of a list of rows, and the arming transaction's job ids.
    [GeneratedRegex(@"UPDATE follow_ups SET job_id|CROSS JOIN follow_ups|unnest\(")]
    private static partial Regex Arming();
}
