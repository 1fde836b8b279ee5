using MediatR;
using PosSupport.Core.Data;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Cases;

/// <summary>
/// The dashboard's queue badges, apart from the page of rows. Counting every open case costs more than a page at a
/// million cases (and "My cases" of a busy agent nearly as much), so this node reuses the queues every user shares, and
/// each user's own count, for up to <see cref="PosSupportOptions.QueueCountsMaxAgeSeconds"/> — sooner after a case changes
/// on this node, but not more than once a second.
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
            if (!cache.TryGet(Guid.Empty, out var shared))
            {
                shared = (await session.QuerySingleOrDefaultAsync<QueueQuery.CountsRow>(QueueQuery.SharedCountsSql, null, cancellationToken)
                    .ConfigureAwait(false))!.ToCounts();
                cache.Store(Guid.Empty, shared, ticket);
            }
            if (!cache.TryGet(me, out var mine))
            {
                mine = new QueueQuery.QueueCounts(
                    await session.ExecuteScalarAsync<long>(QueueQuery.MineCountSql, new { me }, cancellationToken).ConfigureAwait(false), 0, 0, 0, 0);
                cache.Store(me, mine, ticket);
            }
            return shared with { Mine = mine.Mine };
        }
    }
}

/// <summary>
/// This node's last counts (<see cref="GetQueueCounts"/>): the shared queues under <see cref="Guid.Empty"/>, each user's
/// own queue under their id (one entry per member of staff who looked). Singleton, thread-safe. A case change committed
/// here marks them stale; stale counts are still served for a second after they were counted, so a busy node counts at
/// most once a second, and counts from another node's changes are at most the maximum age old.
/// </summary>
public sealed class QueueCountsCache(PosSupportOptions options, TimeProvider clock)
{
    private static readonly TimeSpan MinimumAge = TimeSpan.FromSeconds(1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, Entry> _entries = new();
    private long _changes;

    private sealed record Entry(QueueQuery.QueueCounts Counts, DateTimeOffset CountedAt, long Changes);

    /// <summary>What a count started now will have seen: take it before counting, hand it to <see cref="Store"/>.</summary>
    public long Ticket() => Interlocked.Read(ref _changes);

    public bool TryGet(Guid key, out QueueQuery.QueueCounts counts)
    {
        counts = null!;
        var maxAge = TimeSpan.FromSeconds(options.QueueCountsMaxAgeSeconds);
        if (!_entries.TryGetValue(key, out var entry) || maxAge == TimeSpan.Zero) return false;
        var age = clock.GetUtcNow() - entry.CountedAt;
        var fresh = age < maxAge && (entry.Changes == Ticket() || age < MinimumAge);
        if (fresh) counts = entry.Counts;
        return fresh;
    }

    public void Store(Guid key, QueueQuery.QueueCounts counts, long ticket) => _entries[key] = new Entry(counts, clock.GetUtcNow(), ticket);

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
