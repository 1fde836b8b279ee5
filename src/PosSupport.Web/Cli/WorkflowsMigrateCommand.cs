using System.Globalization;
using MediatR;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;
using PosSupport.Web.Hosting;

namespace PosSupport.Web.Cli;

/// <summary>
/// <c>workflows migrate ID --to VERSION --map OLD=NEW[,OLD=NEW...] [--dry-run]</c>: moves the open cases of a workflow to
/// another published version, never silently. MigrateCases checks that every open case's state is mapped to a state of
/// the target version, then moves each case in its own transaction with a timeline event; <c>--dry-run</c> only reports.
/// </summary>
public static class WorkflowsMigrateCommand
{
    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!TryParse(args, out var id, out var version, out var map, out var dryRun, out var problem))
            return CommandLine.UsageFailure(error, problem);

        await using var services = CaseStoreCommands.Build(configuration, error);
        if (services is null) return CommandLine.Failed;
        if (!await CaseStoreStartup.MigrateAndPublishAsync(services, error, CancellationToken.None)) return CommandLine.Failed;

        MigrateCases.Result result;
        await using (var scope = services.CreateAsyncScope())
        {
            try
            {
                result = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new MigrateCases.Command(
                    WorkflowId: id, ToVersion: version, StateMap: map, DryRun: dryRun, Caller: Caller.System("cli:workflows-migrate")));
            }
            catch (CaseStoreException e)
            {
                error.WriteLine(e is ValidationFailedException invalid
                    ? string.Join(Environment.NewLine, invalid.Errors.SelectMany(f => f.Value.Select(m => $"{f.Key}: {m}")))
                    : e.Message);
                return CommandLine.Failed;
            }
        }

        foreach (var move in result.Moves)
            output.WriteLine($"{move.Number}  v{move.FromVersion} {move.FromState} -> v{version} {move.ToState}");
        foreach (var skipped in result.NotMoved)
            error.WriteLine($"{skipped.Number}  not moved: {skipped.Reason}");
        output.WriteLine(dryRun
            ? $"Dry run: {result.Moves.Count} open case(s) of {id} would move to version {version}; nothing written."
            : $"Moved {result.Moves.Count} open case(s) of {id} to version {version}.");
        return result.NotMoved.Count == 0 ? CommandLine.Ok : CommandLine.Failed;
    }

    private static bool TryParse(string[] args, out string id, out int version, out Dictionary<string, string> map, out bool dryRun, out string problem)
    {
        id = "";
        version = 0;
        map = new Dictionary<string, string>(StringComparer.Ordinal);
        dryRun = false;
        problem = "Usage: workflows migrate ID --to VERSION --map OLD=NEW[,OLD=NEW...] [--dry-run]";
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--dry-run":
                    dryRun = true;
                    break;
                case "--to" when i + 1 < args.Length && version == 0
                                 && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0:
                    version = parsed;
                    i++;
                    break;
                case "--map" when i + 1 < args.Length:
                    foreach (var pair in args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        var parts = pair.Split('=', StringSplitOptions.TrimEntries);
                        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0 || !map.TryAdd(parts[0], parts[1]))
                        {
                            problem = $"'{pair}' is not OLD=NEW, or maps a state twice.";
                            return false;
                        }
                    }
                    break;
                case var arg when id.Length == 0 && !arg.StartsWith('-'):
                    id = arg;
                    break;
                default:
                    return false;
            }
        }
        return id.Length > 0 && version > 0;
    }
}
