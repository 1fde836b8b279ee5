using MediatR;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Users;
using PosSupport.Web.Hosting;

namespace PosSupport.Web.Cli;

/// <summary>
/// <c>users create LOGIN --role agent|supervisor|admin [--name "Display name"] [--skill-group device|billing]</c>: creates a
/// dashboard user. The password is the first line of standard input (so it is never in the shell history or the process
/// list): <c>echo "$PASSWORD" | PosSupport.Web users create li.na --role agent</c>.
/// </summary>
public static class UsersCommands
{
    public const string Usage = "Usage: users create LOGIN --role agent|supervisor|admin [--name \"Display name\"] [--skill-group device|billing]";

    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextReader input, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Length == 0 || args[0] != "create") return CommandLine.UsageFailure(error, Usage);
        if (!TryParse(args[1..], out var login, out var role, out var name, out var skillGroup, out var problem))
            return CommandLine.UsageFailure(error, problem);

        var password = (await input.ReadLineAsync())?.TrimEnd('\r');
        if (string.IsNullOrEmpty(password))
        {
            error.WriteLine("Give the new user's password on standard input (its first line).");
            return CommandLine.UsageError;
        }

        await using var services = CaseStoreCommands.Build(configuration, error);
        if (services is null) return CommandLine.Failed;
        if (!await CaseStoreStartup.MigrateAndPublishAsync(services, error, CancellationToken.None)) return CommandLine.Failed;
        await using var scope = services.CreateAsyncScope();
        try
        {
            var created = await scope.ServiceProvider.GetRequiredService<IMediator>()
                .Send(new CreateUser.Command(login, name ?? login, role, password, Caller.System("cli:users-create"), skillGroup));
            output.WriteLine($"Created {created.Role} '{created.Login}' ({created.Id:D}).");
            return CommandLine.Ok;
        }
        catch (CaseStoreException e)
        {
            error.WriteLine(e is ValidationFailedException invalid
                ? string.Join(Environment.NewLine, invalid.Errors.SelectMany(f => f.Value))
                : e.Message);
            return CommandLine.Failed;
        }
    }

    private static bool TryParse(string[] args, out string login, out string role, out string? name, out string? skillGroup, out string problem)
    {
        login = "";
        role = "";
        name = null;
        skillGroup = null;
        problem = Usage;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--role" when value is not null: role = value; i++; break;
                case "--name" when value is not null: name = value; i++; break;
                case "--skill-group" when value is not null: skillGroup = value; i++; break;
                case var option when option.StartsWith('-'):
                    problem = $"Unknown or incomplete option '{option}'.\n{Usage}";
                    return false;
                case var positional when login.Length == 0: login = positional; break;
                default:
                    problem = $"Unexpected argument '{args[i]}'.\n{Usage}";
                    return false;
            }
        }
        if (login.Length == 0 || role.Length == 0) return false;
        return true;
    }
}
