using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.ApiClients;

/// <summary>Registers an API client (a chat channel or an integration) and gives it a new key, shown once and stored hashed. Admins only.</summary>
public static class CreateApiClient
{
    /// <param name="ChannelKind">For a channel: wechat, app or chatbot. WeChat clients get free-form messages only within 48 h of the merchant's last one.</param>
    public sealed record Command(string Name, string Role, Caller Caller, string? WebhookUrl = null, string? ChannelKind = null) : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Name).NotEmpty().MaximumLength(100).Matches("^[A-Za-z0-9][A-Za-z0-9._-]*$")
                .WithMessage("A client name is letters, digits, '.', '_' and '-', starting with a letter or digit.")
                .Must(n => !Demo.DemoWorld.ChannelNames.Contains(n, StringComparer.Ordinal))
                .WithMessage("'{PropertyValue}' is the name of a demo channel client; choose another name.");
            RuleFor(c => c.Role).Must(ApiKeys.Roles.Contains).WithMessage("The role is channel, agent, supervisor or admin.");
            RuleFor(c => c.WebhookUrl).MaximumLength(2000)
                .Must(u => u is null || (Uri.TryCreate(u, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
                .WithMessage("The webhook URL is an absolute http or https URL.");
            RuleFor(c => c.ChannelKind).Must(k => k is null or "wechat" or "app" or "chatbot").WithMessage("The channel kind is wechat, app or chatbot.");
            RuleFor(c => c.ChannelKind).Null().When(c => c.Role != "channel").WithMessage("Only a channel client has a channel kind.");
            RuleFor(c => c.Caller).NotNull();
        }
    }

    /// <param name="Key">The bearer key: shown now and never again (only its hash is stored).</param>
    /// <param name="WebhookSecret">The secret webhooks are signed with, when the client has a webhook URL.</param>
    public sealed record Result(Guid Id, string Name, string Role, string Key, string? WebhookUrl, string? WebhookSecret);

    public sealed class Handler(CaseSession session, TimeProvider clock) : IRequestHandler<Command, Result>
    {
        private const string Insert = """
            INSERT INTO api_clients (id, name, role, key_hash, webhook_url, webhook_secret, channel_kind, created_at)
            VALUES (@id, @name, @role, @keyHash, @webhookUrl, @webhookSecret, @channelKind, @now)
            ON CONFLICT (name) DO NOTHING
            """;

        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            Users.Administration.Require(request.Caller);
            var now = clock.GetUtcNow();
            var key = ApiKeys.NewKey();
            var secret = request.WebhookUrl is null ? null : ApiKeys.NewWebhookSecret();
            var id = Guid.CreateVersion7(now);
            var inserted = await session.ExecuteAsync(Insert, new
            {
                id, name = request.Name, role = request.Role, keyHash = ApiKeys.Hash(key), webhookUrl = request.WebhookUrl, webhookSecret = secret, channelKind = request.ChannelKind, now,
            }, cancellationToken).ConfigureAwait(false);
            if (inserted == 0) throw new ConflictException($"An API client named '{request.Name}' already exists.");
            return new Result(id, request.Name, request.Role, key, request.WebhookUrl, secret);
        }
    }
}
