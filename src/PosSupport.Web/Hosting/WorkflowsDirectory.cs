namespace PosSupport.Web.Hosting;

/// <summary>Where the host reads workflow definitions: <c>PosSupport:Workflows:Directory</c>, else <c>workflows/</c> beside the binaries.</summary>
public static class WorkflowsDirectory
{
    public const string ConfigurationKey = "PosSupport:Workflows:Directory";

    public static string Default => Path.Combine(AppContext.BaseDirectory, "workflows");

    /// <summary>The configured directory as a full path; a relative setting is taken from the current directory.</summary>
    public static string From(IConfiguration configuration)
    {
        var configured = configuration[ConfigurationKey];
        return Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? Default : configured);
    }
}
