using MediatR;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.FollowUps;

/// <summary>
/// Arms every pending follow-up due within <see cref="FollowUpArming.Reach"/> that has no live job: one written further
/// ahead than that (armed here as it comes within reach), one whose arming was lost to a crash between commit and
/// scheduling, one whose job vanished with in-memory storage on a restart, one whose job gave up. Those already overdue
/// are queued to run at once. Runs at start-up and every minute; safe to run on several nodes at once (arming is
/// compare-and-set on the row's job id, and a losing job is deleted again). Rows due later are not read at all, so a
/// sweep costs what the next quarter of an hour holds, not every open case's follow-ups.
/// </summary>
public static class SweepFollowUps
{
    public sealed record Command : IBatchCommand<Result>;

    /// <param name="Pending">Pending follow-ups due within reach, looked at.</param>
    /// <param name="Armed">Of those, armed by this sweep.</param>
    /// <param name="Overdue">Of those armed, already due: queued to run now.</param>
    public sealed record Result(int Pending, int Armed, int Overdue);

    private const int Page = 1000;

    /// <summary>
    /// One page of the pending rows due by <c>@until</c>, in due order after the last row read (<c>@afterDue</c>, <c>@after</c>):
    /// a range of ix_follow_ups_pending_due. Ordered by id instead, PostgreSQL walked the primary key and filtered every row.
    /// </summary>
    internal const string PageSql = """
        SELECT id AS Id, due_at AS DueAt, job_id AS JobId FROM follow_ups
         WHERE status = 'pending' AND due_at <= @until AND due_at >= @afterDue AND (due_at > @afterDue OR id > @after)
         ORDER BY due_at, id LIMIT @page
        """;

    private sealed class Row
    {
        public Guid Id { get; set; }
        public DateTimeOffset DueAt { get; set; }
        public string? JobId { get; set; }
    }

    public sealed class Handler(CaseSession session, IFollowUpScheduler scheduler, FollowUpArming arming, TimeProvider clock)
        : IRequestHandler<Command, Result>
    {
        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var until = now + FollowUpArming.Reach;
            int pending = 0, armed = 0, overdue = 0;
            var after = Guid.Empty;
            var afterDue = DateTimeOffset.UnixEpoch;
            // Rows share jobs: ask the clock about each job once per sweep.
            var live = new Dictionary<string, bool>(StringComparer.Ordinal);
            while (true)
            {
                var rows = (await session.QueryAsync<Row>(PageSql, new { until, afterDue, after, page = Page }, cancellationToken).ConfigureAwait(false)).ToList();
                pending += rows.Count;
                var unarmed = new List<FollowUpArming.Pending>();
                foreach (var row in rows)
                {
                    if (row.JobId is { } job)
                    {
                        if (!live.TryGetValue(job, out var isLive)) live[job] = isLive = scheduler.IsLive(job);
                        if (isLive) continue;
                    }
                    unarmed.Add(new FollowUpArming.Pending(row.Id, row.DueAt, row.JobId));
                }
                var done = (await arming.ArmAsync(unarmed, cancellationToken).ConfigureAwait(false)).ToHashSet();
                armed += done.Count;
                overdue += unarmed.Count(r => r.DueAt <= now && done.Contains(r.Id));
                if (rows.Count < Page) break;
                (afterDue, after) = (rows[^1].DueAt, rows[^1].Id);
            }
            return new Result(pending, armed, overdue);
        }
    }
}
