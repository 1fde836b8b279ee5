using System.Text.Json;
using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Cases;

/// <summary>
/// A case's timeline, oldest first, a page at a time (keyset on the per-case sequence number). A chat channel sees
/// only the merchant-visible events of the cases it opened, and not which staff member acted.
/// </summary>
public static class GetTimeline
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    /// <param name="AfterSeq">Return events after this sequence number: the previous page's <see cref="Result.NextAfterSeq"/>.</param>
    public sealed record Query(Guid CaseId, Caller Caller, long? AfterSeq = null, int Limit = DefaultLimit) : IQuery<Result>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.CaseId).NotEmpty();
            RuleFor(q => q.Caller).NotNull();
            RuleFor(q => q.AfterSeq).GreaterThanOrEqualTo(0).When(q => q.AfterSeq is not null);
            RuleFor(q => q.Limit).InclusiveBetween(1, MaxLimit);
        }
    }

    /// <param name="NextAfterSeq">Pass as <see cref="Query.AfterSeq"/> for the next page; null when this page is the last.</param>
    public sealed record Result(Guid CaseId, IReadOnlyList<TimelineEvent> Events, long? NextAfterSeq);

    /// <summary>
    /// One event. <paramref name="Data"/> is the event's stored JSON object, parsed (never a string holding JSON), so
    /// an API writes it out as JSON as it is; its shape depends on <paramref name="Kind"/>.
    /// <paramref name="ActorId"/> is a user id, channel client id or job name, or null where the caller may not see it.
    /// </summary>
    public sealed record TimelineEvent(
        long Seq, string Kind, string Actor, string? ActorId, DateTimeOffset At, bool MerchantVisible, JsonElement Data);

    public sealed class Handler(CaseStore store, CaseSession session) : IRequestHandler<Query, Result>
    {
        // The primary key (case_id, seq) serves both the filter and the order.
        private const string Sql = """
            SELECT seq AS Seq, kind AS Kind, actor AS Actor, actor_id AS ActorId, at AS At, visibility AS Visibility, data AS Data
              FROM case_events
             WHERE case_id = @caseId AND seq > @afterSeq AND (@everything OR visibility = 'merchant')
             ORDER BY seq
             LIMIT @take
            """;

        public async Task<Result> Handle(Query request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            var record = await store.LoadVisibleAsync(request.CaseId, request.Caller, cancellationToken).ConfigureAwait(false);
            var channel = request.Caller.Actor == Actor.Customer;
            var rows = (await session.QueryAsync<Row>(Sql,
                new { caseId = record.Id, afterSeq = request.AfterSeq ?? 0, everything = !channel, take = request.Limit + 1 }, cancellationToken)
                .ConfigureAwait(false)).ToList();

            var more = rows.Count > request.Limit;
            if (more) rows.RemoveAt(rows.Count - 1);
            var customer = WorkflowSpelling.Of(Actor.Customer);
            var events = rows.Select(r => new TimelineEvent(r.Seq, r.Kind, r.Actor, channel && r.Actor != customer ? null : r.ActorId, r.At,
                r.Visibility == "merchant", Parse(r.Data))).ToList();
            return new Result(record.Id, events, more ? events[^1].Seq : null);
        }

        private static JsonElement Parse(string json)
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }

        private sealed class Row
        {
            public long Seq { get; set; }
            public string Kind { get; set; } = "";
            public string Actor { get; set; } = "";
            public string? ActorId { get; set; }
            public DateTimeOffset At { get; set; }
            public string Visibility { get; set; } = "";
            public string Data { get; set; } = "{}";
        }
    }
}
