namespace PosSupport.Core.Data;

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>The <c>PosSupport</c> configuration section. Every key is settable by environment variable (<c>PosSupport__Database__Provider</c>).</summary>
public sealed class PosSupportOptions
{
    public const string Section = "PosSupport";

    /// <summary>Where the embedded database and evidence files live. Relative paths are taken from the working directory.</summary>
    public string DataDirectory { get; set; } = "./data";

    public DatabaseOptions Database { get; set; } = new();

    /// <summary>Largest offer, in fen, an agent may make without a supervisor's approval.</summary>
    public long AgentOfferAuthorityFen { get; set; } = 10_000;

    public EvidenceOptions Evidence { get; set; } = new();

    /// <summary>
    /// Seed the demo data on the first start of an empty embedded (SQLite) database. On by default so the README's run
    /// command shows a working product; set <c>PosSupport__SeedDemoData=false</c> for a real deployment.
    /// </summary>
    public bool SeedDemoData { get; set; } = true;

    /// <summary>
    /// Days after a case is resolved during which a merchant's message reopens it (where its workflow allows); later, or
    /// on a closed case, the merchant's channel must open a new case on the conversation.
    /// </summary>
    public int ReopenWindowDays { get; set; } = 7;

    /// <summary>Round-robin assignment of new cases to agents of the case type's skill group.</summary>
    public bool AutoAssign { get; set; } = true;

    /// <summary>
    /// How long the dashboard's queue badge counts may be reused (per node) before they are counted again; a case change on
    /// this node makes them count again at most a second later. 0 counts on every page.
    /// </summary>
    public int QueueCountsMaxAgeSeconds { get; set; } = 10;

    /// <summary>Throws with every problem at once; called at start-up so a bad setting never reaches a request.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(DataDirectory)) problems.Add("PosSupport:DataDirectory must not be empty.");
        if (Database.Provider == DatabaseProvider.Postgres && string.IsNullOrWhiteSpace(Database.ConnectionString))
            problems.Add("PosSupport:Database:Provider is postgres, so ConnectionStrings:PosSupport must be set.");
        if (AgentOfferAuthorityFen < 0) problems.Add("PosSupport:AgentOfferAuthorityFen must be 0 or more.");
        if (ReopenWindowDays < 0) problems.Add("PosSupport:ReopenWindowDays must be 0 or more.");
        if (QueueCountsMaxAgeSeconds < 0) problems.Add("PosSupport:QueueCountsMaxAgeSeconds must be 0 or more.");
        if (Evidence.MaxBytes <= 0) problems.Add("PosSupport:Evidence:MaxBytes must be greater than 0.");
        if (problems.Count > 0) throw new InvalidOperationException(string.Join(Environment.NewLine, problems));
    }
}

public sealed class DatabaseOptions
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Taken from <c>ConnectionStrings:PosSupport</c>. Optional for SQLite (default: possupport.db in the data directory).</summary>
    public string? ConnectionString { get; set; }
}

public sealed class EvidenceOptions
{
    public long MaxBytes { get; set; } = 10 * 1024 * 1024;
}
