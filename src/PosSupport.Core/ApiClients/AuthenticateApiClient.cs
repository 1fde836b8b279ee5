using MediatR;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.ApiClients;

/// <summary>The client a bearer key belongs to, or null for an unknown or revoked key.</summary>
public static class AuthenticateApiClient
{
    public sealed record Query(string Key) : IQuery<ApiClient?>;

    public sealed class Handler(CaseSession session) : IRequestHandler<Query, ApiClient?>
    {
        private const string Sql = """
            SELECT id AS Id, name AS Name, role AS Role, webhook_url AS WebhookUrl FROM api_clients WHERE key_hash = @hash AND revoked_at IS NULL
            """;

        public async Task<ApiClient?> Handle(Query request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (string.IsNullOrEmpty(request.Key) || request.Key.Length > 200) return null;
            var row = await session.QuerySingleOrDefaultAsync<Row>(Sql, new { hash = ApiKeys.Hash(request.Key) }, cancellationToken).ConfigureAwait(false);
            return row is null ? null : new ApiClient(row.Id, row.Name, row.Role, row.WebhookUrl);
        }

        private sealed class Row
        {
            public Guid Id { get; set; }
            public string Name { get; set; } = "";
            public string Role { get; set; } = "";
            public string? WebhookUrl { get; set; }
        }
    }
}
