using Dapper;
using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Cases;

/// <summary>
/// Cases by merchant, conversation and state, most recently changed first, a keyset page at a time: what a chat channel
/// (only the cases it opened) or an integration (every case) asks for. The dashboard's queue is <see cref="QueueQuery"/>.
/// </summary>
public static class FindCases
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 100;

    public sealed record Query(Caller Caller, Guid? MerchantId = null, string? ConversationId = null, string? State = null, string? Cursor = null,
        int PageSize = DefaultPageSize) : IQuery<Result>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.Caller).NotNull();
            RuleFor(q => q.MerchantId).NotEqual(Guid.Empty);
            RuleFor(q => q.ConversationId).MaximumLength(200);
            RuleFor(q => q.State).MaximumLength(100);
            RuleFor(q => q.Cursor).Must(c => c is null || QueueCursor.TryDecode(c, out _)).WithMessage("This is not a cursor of this list.");
            RuleFor(q => q.PageSize).InclusiveBetween(1, MaxPageSize);
        }
    }

    public sealed record Result(IReadOnlyList<Row> Rows, string? NextCursor);

    public sealed record Row(Guid Id, string Number, string Type, string State, string StateKind, LocalizedText StateTitle, string? Outcome,
        Guid MerchantId, string? ConversationId, long Version, DateTimeOffset OpenedAt, DateTimeOffset UpdatedAt);

    public sealed class Handler(CaseSession session, WorkflowCatalog catalog) : IRequestHandler<Query, Result>
    {
        public async Task<Result> Handle(Query request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            var where = new List<string>();
            var parameters = new DynamicParameters();
            if (request.Caller.Actor == Actor.Customer)
            {
                // A channel sees the cases it opened and nothing else, whatever it filters on.
                where.Add("c.channel_client_id = @channel");
                parameters.Add("channel", request.Caller.ChannelClientId ?? Guid.Empty);
            }
            else if (!request.Caller.IsStaff) throw new ForbiddenException("Cases are listed for chat channels, agents and supervisors.");
            if (request.MerchantId is { } merchant) { where.Add("c.merchant_id = @merchant"); parameters.Add("merchant", merchant); }
            if (request.ConversationId is { } conversation) { where.Add("c.conversation_id = @conversation"); parameters.Add("conversation", conversation); }
            if (request.State is { } state) { where.Add("c.state = @state"); parameters.Add("state", state); }
            if (request.Cursor is { } cursor)
            {
                var after = QueueCursor.Decode(cursor);
                where.Add("(c.updated_at, c.id) < (@cursorAt, @cursorId)");
                parameters.Add("cursorAt", after.UpdatedAt);
                parameters.Add("cursorId", after.Id);
            }
            parameters.Add("take", request.PageSize + 1);
            // Open and closed cases are indexed apart: a page of each, merged.
            var sql = CaseLists.OpenAndClosed(kind => $"""
                SELECT c.id AS Id, c.number AS Number, c.workflow_id AS WorkflowId, c.workflow_version AS WorkflowVersion, c.state AS State,
                       c.state_kind AS StateKind, c.outcome AS Outcome, c.merchant_id AS MerchantId, c.conversation_id AS ConversationId,
                       c.version AS Version, c.opened_at AS OpenedAt, c.updated_at AS UpdatedAt
                  FROM cases c
                 WHERE {string.Join(" AND ", [kind, .. where])}
                 ORDER BY c.updated_at DESC, c.id DESC
                 LIMIT @take
                """);
            var rows = (await session.QueryAsync<CaseRow>(sql, parameters, cancellationToken).ConfigureAwait(false)).ToList();
            var more = rows.Count > request.PageSize;
            if (more) rows.RemoveAt(rows.Count - 1);
            return new Result(rows.Select(ToRow).ToList(), more ? QueueCursor.Encode(rows[^1].UpdatedAt, rows[^1].Id) : null);
        }

        private Row ToRow(CaseRow r)
        {
            var title = catalog.TryGet(r.WorkflowId, r.WorkflowVersion, out var workflow) && workflow.TryGetState(r.State, out var state)
                ? state.Title : new LocalizedText(r.State, r.State);
            return new Row(r.Id, r.Number, r.WorkflowId, r.State, r.StateKind, title, r.Outcome, r.MerchantId, r.ConversationId, r.Version, r.OpenedAt, r.UpdatedAt);
        }

        private sealed class CaseRow
        {
            public Guid Id { get; set; }
            public string Number { get; set; } = "";
            public string WorkflowId { get; set; } = "";
            public int WorkflowVersion { get; set; }
            public string State { get; set; } = "";
            public string StateKind { get; set; } = "";
            public string? Outcome { get; set; }
            public Guid MerchantId { get; set; }
            public string? ConversationId { get; set; }
            public long Version { get; set; }
            public DateTimeOffset OpenedAt { get; set; }
            public DateTimeOffset UpdatedAt { get; set; }
        }
    }
}
