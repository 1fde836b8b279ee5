namespace PosSupport.Core.Cases;

/// <summary>
/// Lists of open and closed cases together, most recently changed first. Open cases and closed ones are indexed apart
/// (db/*/0012_queue_indexes_open_and_closed.sql), so that a command on an open case writes to few indexes; a list of both
/// reads at most a page from each kind's index range, each already in order, and merges the two.
/// </summary>
internal static class CaseLists
{
    /// <summary>Open cases: word for word the predicate of the open cases' partial indexes.</summary>
    public const string Open = "c.state_kind <> 'final'";

    /// <summary>Closed cases: word for word the predicate of the closed cases' partial indexes.</summary>
    public const string Closed = "c.state_kind = 'final'";

    /// <summary>One page of open and closed cases in (updated_at, id) order, newest first.</summary>
    /// <param name="page">
    /// The page's SELECT for one kind of case, given that kind's predicate to add to its WHERE: it selects at least
    /// <c>c.updated_at AS UpdatedAt</c> and <c>c.id AS Id</c>, orders by <c>c.updated_at DESC, c.id DESC</c> and takes
    /// <c>@take</c> rows.
    /// </param>
    public static string OpenAndClosed(Func<string, string> page) => $"""
        SELECT * FROM ({page(Open)}) open_cases
        UNION ALL
        SELECT * FROM ({page(Closed)}) closed_cases
        ORDER BY UpdatedAt DESC, Id DESC
        LIMIT @take
        """;
}
