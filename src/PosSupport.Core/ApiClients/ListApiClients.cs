using MediatR;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.ApiClients;

/// <summary>Every API client, oldest first, without keys (only their hashes are stored) or webhook secrets. Admins only.</summary>
public static class ListApiClients
{
    public sealed record Query(Caller Caller) : IQuery<IReadOnlyList<Row>>;

    public sealed class Row
    {
        public Guid Id { get; set; }
        public string Name { get; set; } = "";
        public string Role { get; set; } = "";
        public string? WebhookUrl { get; set; }
        public string? ChannelKind { get; set; }
        public DateTimeOffset CreatedAt { get; set; }
        public DateTimeOffset? RevokedAt { get; set; }
    }

    public sealed class Handler(CaseSession session) : IRequestHandler<Query, IReadOnlyList<Row>>
    {
        private const string Sql = """
            SELECT id AS Id, name AS Name, role AS Role, webhook_url AS WebhookUrl, channel_kind AS ChannelKind, created_at AS CreatedAt, revoked_at AS RevokedAt
              FROM api_clients ORDER BY created_at, name
            """;

        public async Task<IReadOnlyList<Row>> Handle(Query request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            Users.Administration.Require(request.Caller);
            return (await session.QueryAsync<Row>(Sql, null, cancellationToken).ConfigureAwait(false)).ToList();
        }
    }
}
