using System.Globalization;
using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

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
                .WithText(new("A client name is letters, digits, '.', '_' and '-', starting with a letter or digit.",
                    "客户端名称由字母、数字、“.”、“_”或“-”组成，并以字母或数字开头。"))
                .Must(n => !Demo.DemoWorld.ChannelNames.Contains(n, StringComparer.Ordinal))
                .WithMessage(c => new LocalizedText($"'{c.Name}' is the name of a demo channel client; choose another name.",
                    $"“{c.Name}”是演示渠道客户端的名称，请换一个名称。").For(CultureInfo.CurrentUICulture));
            RuleFor(c => c.Role).Must(ApiKeys.Roles.Contains).WithText(new("The role is channel, agent, supervisor or admin.", "角色须为渠道、客服、主管或管理员。"));
            RuleFor(c => c.WebhookUrl).MaximumLength(2000)
                .Must(u => u is null || (Uri.TryCreate(u, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
                .WithText(new("The webhook URL is an absolute http or https URL.", "Webhook 地址须为完整的 http 或 https 地址。"));
            RuleFor(c => c.ChannelKind).Must(k => k is null or "wechat" or "app" or "chatbot")
                .WithText(new("The channel kind is wechat, app or chatbot.", "渠道类型须为 wechat、app 或 chatbot。"));
            RuleFor(c => c.ChannelKind).Null().When(c => c.Role != "channel").WithText(new("Only a channel client has a channel kind.", "只有渠道客户端才有渠道类型。"));
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
            if (inserted == 0)
                throw new ConflictException(Users.Administration.Say($"An API client named '{request.Name}' already exists.", $"名为“{request.Name}”的 API 客户端已存在。"));
            return new Result(id, request.Name, request.Role, key, request.WebhookUrl, secret);
        }
    }
}
