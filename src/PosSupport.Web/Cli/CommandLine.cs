namespace PosSupport.Web.Cli;

/// <summary>
/// Verbs run on the web host's binary instead of serving: <c>PosSupport.Web workflows validate</c>.
/// Arguments that start with '-' or hold '=' (--urls, key=value) are host configuration, not verbs.
/// </summary>
public static class CommandLine
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int UsageError = 2;

    public const string Usage = """
        Usage:
          PosSupport.Web [--urls URL]                        serve HTTP (default http://127.0.0.1:5080)
          PosSupport.Web workflows validate [DIR]            check every workflow definition in DIR
                                                             (default: the configured workflows directory)
          PosSupport.Web workflows diagram ID [--version N]  print a workflow's Mermaid state diagram
                                                             (default: its newest version)
          PosSupport.Web --help                              show this text

        With dotnet run, verbs go after --: dotnet run --project src/PosSupport.Web -- workflows validate
        """;

    public static bool IsCommand(string[] args) =>
        args.Length > 0 && (IsHelp(args[0]) || (!args[0].StartsWith('-') && !args[0].Contains('=', StringComparison.Ordinal)));

    public static int Run(string[] args, string workflowsDirectory, TextWriter output, TextWriter error)
    {
        if (IsHelp(args[0]))
        {
            output.WriteLine(Usage);
            return Ok;
        }
        return args[0] switch
        {
            "workflows" => WorkflowsCommands.Run(args[1..], workflowsDirectory, output, error),
            _ => UsageFailure(error, $"Unknown command '{args[0]}'."),
        };
    }

    internal static int UsageFailure(TextWriter error, string message)
    {
        error.WriteLine(message);
        error.WriteLine(Usage);
        return UsageError;
    }

    private static bool IsHelp(string arg) => arg is "--help" or "-h" or "-?" or "help";
}
