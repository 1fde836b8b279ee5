using MediatR;
using PosSupport.Core.ApiClients;
using PosSupport.Core.Pipeline;
using PosSupport.Web.Hosting;

namespace PosSupport.Web.Cli;

/// <summary><c>apikeys create|list|revoke</c>: API clients of the REST API and their keys.</summary>
public static class ApiKeysCommands
{
    public const string Usage = """
        apikeys create NAME --role channel|agent|supervisor|admin [--webhook-url URL] [--channel wechat|app|chatbot]
        apikeys list
        apikeys revoke NAME
        """;

    private static readonly Caller Cli = Caller.System("cli:apikeys");

    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        object? request = args switch
        {
            ["create", var name, .. var rest] when !name.StartsWith('-') && ParseCreate(name, rest) is { } create => create,
            ["list"] => new ListApiClients.Query(Cli),
            ["revoke", var name] when !name.StartsWith('-') => new RevokeApiClient.Command(name, Cli),
            _ => null,
        };
        if (request is null) return CommandLine.UsageFailure(error, "Usage: " + Usage);

        await using var services = CaseStoreCommands.Build(configuration, error);
        if (services is null) return CommandLine.Failed;
        if (!await CaseStoreStartup.MigrateAndPublishAsync(services, error, CancellationToken.None)) return CommandLine.Failed;
        await using var scope = services.CreateAsyncScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        try
        {
            switch (request)
            {
                case CreateApiClient.Command create:
                {
                    var created = await mediator.Send(create);
                    output.WriteLine($"Created API client '{created.Name}' ({created.Role}), id {created.Id:D}.");
                    if (created.WebhookSecret is { } secret)
                    {
                        output.WriteLine($"Webhook URL: {created.WebhookUrl}");
                        output.WriteLine($"Webhook signing secret (shown once): {secret}");
                    }
                    output.WriteLine("The key is shown once and stored hashed; send it as 'Authorization: Bearer KEY'. Key:");
                    output.WriteLine(created.Key);
                    return CommandLine.Ok;
                }
                case ListApiClients.Query list:
                {
                    var clients = await mediator.Send(list);
                    if (clients.Count == 0) output.WriteLine("No API clients.");
                    foreach (var c in clients)
                        output.WriteLine($"{c.Name}\t{c.Role}\t{(c.RevokedAt is { } at ? $"revoked {at:yyyy-MM-dd HH:mm} UTC" : "active")}\t{c.WebhookUrl ?? "-"}");
                    return CommandLine.Ok;
                }
                case RevokeApiClient.Command revoke:
                {
                    var revoked = await mediator.Send(revoke);
                    output.WriteLine(revoked.AlreadyRevoked
                        ? $"API client '{revoked.Name}' was already revoked ({revoked.RevokedAt:yyyy-MM-dd HH:mm} UTC)."
                        : $"Revoked the key of API client '{revoked.Name}': its requests are refused from now on.");
                    return CommandLine.Ok;
                }
            }
        }
        catch (CaseStoreException e)
        {
            error.WriteLine(e is ValidationFailedException validation ? string.Join(Environment.NewLine, validation.Errors.SelectMany(f => f.Value)) : e.Message);
            return CommandLine.Failed;
        }
        return CommandLine.UsageFailure(error, "Usage: " + Usage);
    }

    private static CreateApiClient.Command? ParseCreate(string name, string[] rest)
    {
        string? role = null, webhook = null, kind = null;
        for (var i = 0; i < rest.Length; i++)
        {
            switch (rest[i])
            {
                case "--role" when i + 1 < rest.Length && role is null: role = rest[++i]; break;
                case "--webhook-url" when i + 1 < rest.Length && webhook is null: webhook = rest[++i]; break;
                case "--channel" when i + 1 < rest.Length && kind is null: kind = rest[++i]; break;
                default: return null;
            }
        }
        return role is null ? null : new CreateApiClient.Command(name, role, Cli, webhook, kind);
    }
}
