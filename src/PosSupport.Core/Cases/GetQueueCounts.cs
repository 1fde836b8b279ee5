using MediatR;
using PosSupport.Core.Data;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Cases;

/// <summary>
/// The dashboard's queue badges, apart from the page of rows. "My cases" is counted every time (an index range of one
/// user's open cases); the queues every user shares are counted over all open cases, which at a million cases costs more
/// than the page itself, so they are reused for up to <see cref="PosSupportOptions.QueueCountsMaxAgeSeconds"/> — sooner
/// after a case changes on this node, but not more than once a second.
/// </summary>
public static class GetQueueCounts
{
    /// <param name="MyUserId">Whose cases "My cases" counts; by default the caller's.</param>
    public sealed record Query(Caller Caller, Guid? MyUserId = null) : IQuery<QueueQuery.QueueCounts>;

    public sealed class Handler(CaseSession session, QueueCountsCache cache) : IRequestHandler<Query, QueueQuery.QueueCounts>
    {
        public async Task<QueueQuery.QueueCounts> Handle(Query request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (!request.Caller.IsStaff) throw new ForbiddenException("Only agents and supervisors see the case queue.");
            var me = request.MyUserId ?? (Guid.TryParse(request.Caller.Id, out var id) ? id : Guid.Empty);

            var ticket = cache.Ticket();
            if (!cache.TryGet(out var shared))
            {
                shared = (await session.QuerySingleOrDefaultAsync<QueueQuery.CountsRow>(QueueQuery.SharedCountsSql, null, cancellationToken)
                    .ConfigureAwait(false))!.ToCounts();
                cache.Store(shared, ticket);
            }
            var mine = await session.ExecuteScalarAsync<long>(QueueQuery.MineCountSql, new { me }, cancellationToken).ConfigureAwait(false);
            return shared with { Mine = mine };
        }
    }
}

/// <summary>
/// This node's last count of the shared queues (<see cref="GetQueueCounts"/>). Singleton, thread-safe. A case change
/// committed here marks it stale; stale counts are still served for a second after they were counted, so a busy node
/// counts at most once a second, and counts from another node's changes are at most the maximum age old.
/// </summary>
public sealed class QueueCountsCache(PosSupportOptions options, TimeProvider clock)
{
    private static readonly TimeSpan MinimumAge = TimeSpan.FromSeconds(1);
    private readonly Lock _lock = new();
    private long _changes;
    private Entry? _entry;

    private sealed record Entry(QueueQuery.QueueCounts Counts, DateTimeOffset CountedAt, long Changes);

    /// <summary>What a count started now will have seen: take it before counting, hand it to <see cref="Store"/>.</summary>
    public long Ticket() => Interlocked.Read(ref _changes);

    public bool TryGet(out QueueQuery.QueueCounts counts)
    {
        counts = null!;
        var maxAge = TimeSpan.FromSeconds(options.QueueCountsMaxAgeSeconds);
        Entry? entry;
        lock (_lock) entry = _entry;
        if (entry is null || maxAge == TimeSpan.Zero) return false;
        var age = clock.GetUtcNow() - entry.CountedAt;
        var fresh = age < maxAge && (entry.Changes == Ticket() || age < MinimumAge);
        if (fresh) counts = entry.Counts;
        return fresh;
    }

    public void Store(QueueQuery.QueueCounts counts, long ticket)
    {
        lock (_lock) _entry = new Entry(counts, clock.GetUtcNow(), ticket);
    }

    /// <summary>A case changed on this node.</summary>
    public void Changed() => Interlocked.Increment(ref _changes);
}

/// <summary>Marks the queue counts stale when a case change commits.</summary>
public sealed class QueueCountsInvalidation(QueueCountsCache cache) : INotificationHandler<CaseChanged>
{
    public Task Handle(CaseChanged notification, CancellationToken cancellationToken)
    {
        cache.Changed();
        return Task.CompletedTask;
    }
}
