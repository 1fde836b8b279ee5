using MediatR;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.FollowUps;

/// <summary>
/// Re-arms every pending follow-up that has no live job: one whose arming was lost to a crash between commit and
/// scheduling, one whose job vanished with in-memory storage on a restart, one whose job gave up. Those already
/// overdue are queued to run at once. Runs at start-up and every minute; safe to run on several nodes at once
/// (arming is compare-and-set on the row's job id, and a losing job is deleted again).
/// </summary>
public static class SweepFollowUps
{
    public sealed record Command : IBatchCommand<Result>;

    /// <param name="Pending">Pending follow-ups looked at.</param>
    /// <param name="Armed">Of those, armed by this sweep.</param>
    /// <param name="Overdue">Of those armed, already due: queued to run now.</param>
    public sealed record Result(int Pending, int Armed, int Overdue);

    private const int Page = 1000;

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
            int pending = 0, armed = 0, overdue = 0;
            var after = Guid.Empty;
            // Rows share jobs: ask the clock about each job once per sweep.
            var live = new Dictionary<string, bool>(StringComparer.Ordinal);
            while (true)
            {
                var rows = (await session.QueryAsync<Row>(
                    """
                    SELECT id AS Id, due_at AS DueAt, job_id AS JobId FROM follow_ups
                     WHERE status = 'pending' AND id > @after ORDER BY id LIMIT @page
                    """, new { after, page = Page }, cancellationToken).ConfigureAwait(false)).ToList();
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
                after = rows[^1].Id;
            }
            return new Result(pending, armed, overdue);
        }
    }
}
