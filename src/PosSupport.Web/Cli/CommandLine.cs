using PosSupport.Web.Hosting;

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
          PosSupport.Web [--urls URL]                        serve HTTP (default http://127.0.0.1:5080); migrates the
                                                             database first, and seeds the demo data into an empty SQLite one
          PosSupport.Web migrate                             apply the database migrations not applied yet and list them
          PosSupport.Web seed-demo                           migrate, then write the demo data unless it is there
                                                             (on PostgreSQL too)
          PosSupport.Web workflows validate [DIR]            check every workflow definition in DIR
                                                             (default: the configured workflows directory)
          PosSupport.Web workflows diagram ID [--version N]  print a workflow's Mermaid state diagram
                                                             (default: its newest version)
          PosSupport.Web workflows migrate ID --to VERSION --map OLD=NEW[,OLD=NEW...] [--dry-run]
                                                             move the open cases of workflow ID to VERSION, mapping
                                                             their states; --dry-run lists what would move
          PosSupport.Web users create LOGIN --role agent|supervisor|admin [--name NAME] [--skill-group device|billing]
                                                             create a dashboard user; the password is read from
                                                             standard input (first line)
          PosSupport.Web apikeys create NAME --role channel|agent|supervisor|admin [--webhook-url URL]
                                                             register a REST API client; its key is the last line
          PosSupport.Web apikeys list                        list the API clients (never their keys)
          PosSupport.Web apikeys revoke NAME                 refuse the client's key from now on
          PosSupport.Web --help                              show this text

        With dotnet run, verbs go after --: dotnet run --project src/PosSupport.Web -- migrate
        The database is PosSupport:Database:Provider (sqlite or postgres) with ConnectionStrings:PosSupport, or
        possupport.db in PosSupport:DataDirectory (default ./data); environment: PosSupport__Database__Provider=postgres.
        """;

    public static bool IsCommand(string[] args) =>
        args.Length > 0 && (IsHelp(args[0]) || (!args[0].StartsWith('-') && !args[0].Contains('=', StringComparison.Ordinal)));

    /// <summary>Runs the verb in <paramref name="args"/>; settings (workflows directory, database) come from <paramref name="configuration"/>.</summary>
    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter error, TextReader? input = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        if (IsHelp(args[0]))
        {
            output.WriteLine(Usage);
            return Ok;
        }
        return args[0] switch
        {
            "workflows" when args.Length > 1 && args[1] == "migrate" =>
                await WorkflowsMigrateCommand.RunAsync(args[2..], configuration, output, error).ConfigureAwait(false),
            "workflows" => WorkflowsCommands.Run(args[1..], WorkflowsDirectory.From(configuration), output, error),
            "users" => await UsersCommands.RunAsync(args[1..], configuration, input ?? Console.In, output, error).ConfigureAwait(false),
            "apikeys" => await ApiKeysCommands.RunAsync(args[1..], configuration, output, error).ConfigureAwait(false),
            "migrate" when args.Length == 1 => await CaseStoreCommands.MigrateAsync(configuration, output, error).ConfigureAwait(false),
            "seed-demo" when args.Length == 1 => await CaseStoreCommands.SeedDemoAsync(configuration, output, error).ConfigureAwait(false),
            "migrate" or "seed-demo" => UsageFailure(error, $"'{args[0]}' takes no arguments."),
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
