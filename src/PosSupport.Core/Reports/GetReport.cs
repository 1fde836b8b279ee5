using System.Text.Json;
using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Reports;

/// <summary>
/// The supervisors' report over a period [<c>From</c>, <c>To</c>): the backlog now (cases still being worked: active or
/// waiting on the merchant) by case type, state and age;
/// outcomes of the cases resolved in the period by type; money given back (refunds instructed, offers accepted, by
/// kind, in fen); and the mean time from opening to resolution by type.
/// </summary>
public static class GetReport
{
    /// <summary>Age buckets of the backlog, in days since the case was opened: [0,1), [1,3), [3,7), [7,∞).</summary>
    public static readonly IReadOnlyList<int> AgeBucketStartDays = [0, 1, 3, 7];

    public sealed record Query(DateTimeOffset From, DateTimeOffset To, Caller Caller) : IQuery<Result>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.To).GreaterThan(q => q.From).WithMessage("The period must end after it starts.");
            RuleFor(q => q).Must(q => q.To - q.From <= TimeSpan.FromDays(3700)).WithMessage("The period is at most ten years.")
                .OverridePropertyName("To");
            RuleFor(q => q.Caller).NotNull();
        }
    }

    /// <param name="Ages">Open cases per age bucket (<see cref="AgeBucketStartDays"/>), same order.</param>
    public sealed record BacklogRow(string Type, LocalizedText TypeTitle, string State, LocalizedText StateTitle, string StateKind, IReadOnlyList<int> Ages)
    {
        public int Total => Ages.Sum();
    }

    public sealed record OutcomeRow(string Type, LocalizedText TypeTitle, string Outcome, LocalizedText OutcomeTitle, int Cases);

    /// <param name="Kind"><c>refund-instructed</c>, or the kind of an accepted offer (<c>partial-refund</c>, <c>waive</c>...).</param>
    public sealed record MoneyRow(string Kind, int Count, long TotalFen);

    public sealed record ResolutionRow(string Type, LocalizedText TypeTitle, int Resolved, TimeSpan MeanTimeToResolution);

    public sealed record Result(
        DateTimeOffset From, DateTimeOffset To, DateTimeOffset AsOf,
        IReadOnlyList<BacklogRow> Backlog, IReadOnlyList<OutcomeRow> Outcomes, IReadOnlyList<MoneyRow> Money, IReadOnlyList<ResolutionRow> Resolution);

    public sealed class Handler(CaseSession session, WorkflowCatalog catalog, TimeProvider clock) : IRequestHandler<Query, Result>
    {
        private const string Sql = """
            SELECT workflow_id AS WorkflowId, workflow_version AS WorkflowVersion, state AS State, state_kind AS StateKind, opened_at AS OpenedAt
              FROM cases c WHERE c.state_kind <> 'final' AND c.state_kind IN ('active', 'waiting-on-merchant');
            SELECT workflow_id AS WorkflowId, workflow_version AS WorkflowVersion, outcome AS Outcome, opened_at AS OpenedAt, COALESCE(resolved_at, closed_at) AS ResolvedAt
              FROM cases WHERE outcome IS NOT NULL AND COALESCE(resolved_at, closed_at) >= @From AND COALESCE(resolved_at, closed_at) < @To;
            SELECT data AS Data FROM case_events WHERE kind = 'refund-instructed' AND at >= @From AND at < @To;
            SELECT kind AS Kind, CAST(COUNT(*) AS BIGINT) AS Count, CAST(SUM(amount_fen) AS BIGINT) AS TotalFen
              FROM offers WHERE status = 'accepted' AND answered_at >= @From AND answered_at < @To GROUP BY kind;
            """;

        public async Task<Result> Handle(Query request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (!request.Caller.IsStaff) throw new ForbiddenException("Reports are for agents and supervisors.");
            var now = clock.GetUtcNow();
            await using var grid = await session.QueryMultipleAsync(Sql, new { request.From, request.To }, cancellationToken).ConfigureAwait(false);
            var open = (await grid.ReadAsync<OpenRow>().ConfigureAwait(false)).ToList();
            var resolved = (await grid.ReadAsync<ResolvedRow>().ConfigureAwait(false)).ToList();
            var refunds = (await grid.ReadAsync<string>().ConfigureAwait(false)).Select(RefundFen).ToList();
            var offers = (await grid.ReadAsync<OfferRow>().ConfigureAwait(false)).Select(o => new MoneyRow(o.Kind, (int)o.Count, o.TotalFen)).ToList();

            var backlog = open.GroupBy(r => (r.WorkflowId, r.WorkflowVersion, r.State, r.StateKind))
                .Select(g =>
                {
                    var ages = new int[AgeBucketStartDays.Count];
                    foreach (var row in g) ages[Bucket(now - row.OpenedAt)]++;
                    return (Key: g.Key, Ages: ages);
                })
                // Versions of one type are one line per state in a report.
                .GroupBy(x => (x.Key.WorkflowId, x.Key.State, x.Key.StateKind))
                .Select(g =>
                {
                    var workflow = Newest(g.Key.WorkflowId);
                    var stateTitle = workflow is not null && workflow.TryGetState(g.Key.State, out var state) ? state.Title : new LocalizedText(g.Key.State, g.Key.State);
                    var ages = Enumerable.Range(0, AgeBucketStartDays.Count).Select(i => g.Sum(x => x.Ages[i])).ToList();
                    return new BacklogRow(g.Key.WorkflowId, TypeTitle(g.Key.WorkflowId), g.Key.State, stateTitle, g.Key.StateKind, ages);
                })
                .OrderBy(r => r.Type, StringComparer.Ordinal).ThenBy(r => StateOrder(r.Type, r.State)).ToList();

            var outcomes = resolved.GroupBy(r => (r.WorkflowId, r.Outcome))
                .Select(g => new OutcomeRow(g.Key.WorkflowId, TypeTitle(g.Key.WorkflowId), g.Key.Outcome,
                    Newest(g.Key.WorkflowId)?.Outcomes.GetValueOrDefault(g.Key.Outcome) ?? new LocalizedText(g.Key.Outcome, g.Key.Outcome), g.Count()))
                .OrderBy(r => r.Type, StringComparer.Ordinal).ThenByDescending(r => r.Cases).ThenBy(r => r.Outcome, StringComparer.Ordinal).ToList();

            var money = new List<MoneyRow>();
            if (refunds.Count > 0) money.Add(new MoneyRow("refund-instructed", refunds.Count, refunds.Sum()));
            money.AddRange(offers.OrderBy(o => o.Kind, StringComparer.Ordinal));

            var resolution = resolved.GroupBy(r => r.WorkflowId)
                .Select(g => new ResolutionRow(g.Key, TypeTitle(g.Key), g.Count(),
                    TimeSpan.FromTicks((long)g.Average(r => (r.ResolvedAt - r.OpenedAt).Ticks))))
                .OrderBy(r => r.Type, StringComparer.Ordinal).ToList();

            return new Result(request.From, request.To, now, backlog, outcomes, money, resolution);
        }

        private static int Bucket(TimeSpan age)
        {
            var bucket = 0;
            for (var i = 0; i < AgeBucketStartDays.Count; i++)
                if (age >= TimeSpan.FromDays(AgeBucketStartDays[i])) bucket = i;
            return bucket;
        }

        private static long RefundFen(string data)
        {
            using var document = JsonDocument.Parse(data);
            return document.RootElement.TryGetProperty("amountFen", out var amount) && amount.TryGetInt64(out var fen) ? fen : 0;
        }

        private WorkflowDefinition? Newest(string id) => catalog.TryGetNewest(id, out var workflow) ? workflow : null;

        private LocalizedText TypeTitle(string id) => Newest(id)?.Title ?? new LocalizedText(id, id);

        private int StateOrder(string type, string state)
        {
            var index = Newest(type) is { } workflow ? workflow.States.ToList().FindIndex(s => s.Name == state) : -1;
            return index < 0 ? int.MaxValue : index;
        }

        private sealed class OfferRow
        {
            public string Kind { get; set; } = "";
            public long Count { get; set; }
            public long TotalFen { get; set; }
        }

        private sealed class OpenRow
        {
            public string WorkflowId { get; set; } = "";
            public int WorkflowVersion { get; set; }
            public string State { get; set; } = "";
            public string StateKind { get; set; } = "";
            public DateTimeOffset OpenedAt { get; set; }
        }

        private sealed class ResolvedRow
        {
            public string WorkflowId { get; set; } = "";
            public int WorkflowVersion { get; set; }
            public string Outcome { get; set; } = "";
            public DateTimeOffset OpenedAt { get; set; }
            public DateTimeOffset ResolvedAt { get; set; }
        }
    }
}
