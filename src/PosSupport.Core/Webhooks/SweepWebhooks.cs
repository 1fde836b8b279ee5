using MediatR;
using PosSupport.Core.Cases;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Webhooks;

/// <summary>What the webhook sweeper must catch up on: cases with unread events for a client with a webhook, and overdue retries.</summary>
public static class SweepWebhooks
{
    /// <param name="Grace">How late a retry may be before it counts as lost.</param>
    public sealed record Query(TimeSpan Grace) : IQuery<Result>;

    public sealed record Result(IReadOnlyList<Guid> CasesBehind, IReadOnlyList<Guid> OverdueDeliveries);

    public sealed class Handler(CaseSession session, TimeProvider clock) : IRequestHandler<Query, Result>
    {
        // Open and closed cases are indexed apart (Cases/CaseLists.cs): each kind's recent range is read on its own.
        private static readonly string Behind = $"""
            SELECT id FROM ({BehindOf(CaseLists.Open)}) open_cases
            UNION ALL
            SELECT id FROM ({BehindOf(CaseLists.Closed)}) closed_cases
            LIMIT 500
            """;

        private static string BehindOf(string kind) => $"""
            SELECT c.id FROM cases c
              JOIN api_clients a ON a.id = c.channel_client_id AND a.webhook_url IS NOT NULL AND a.revoked_at IS NULL
              LEFT JOIN webhook_cursors w ON w.case_id = c.id
             WHERE {kind} AND c.updated_at > @since
               AND COALESCE(w.last_seq, 0) < (SELECT MAX(e.seq) FROM case_events e WHERE e.case_id = c.id)
             LIMIT 500
            """;

        private const string Overdue = "SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at < @overdue LIMIT 500";

        public async Task<Result> Handle(Query request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            var now = clock.GetUtcNow();
            var behind = await session.QueryAsync<Guid>(Behind, new { since = now.AddDays(-1) }, cancellationToken).ConfigureAwait(false);
            var overdue = await session.QueryAsync<Guid>(Overdue, new { overdue = now - request.Grace }, cancellationToken).ConfigureAwait(false);
            return new Result(behind.ToList(), overdue.ToList());
        }
    }
}
