namespace PosSupport.Core.FollowUps;

/// <summary>An interval in which an SLA clock stands still: the case sat in a state whose
/// <see cref="Workflows.StateDefinition.PausesSla"/> is true. <see cref="To"/> is null while the pause lasts.</summary>
public sealed record SlaPause(DateTimeOffset From, DateTimeOffset? To);

/// <summary>Where one SLA clock stands at <see cref="AsOf"/>. All instants UTC.</summary>
/// <param name="Due">When the target is (or was) reached, counting the pauses so far. While paused, as if the pause ended at <see cref="AsOf"/>.</param>
/// <param name="WarnAt">When the warning threshold is (or was) reached, on the same terms as <see cref="Due"/>.</param>
/// <param name="Elapsed">Business time the clock has run: pauses excluded, stopped when met.</param>
public sealed record SlaStatus(
    TimeSpan Target,
    DateTimeOffset Due,
    DateTimeOffset WarnAt,
    TimeSpan Elapsed,
    TimeSpan Remaining,
    bool IsPaused,
    bool IsWarned,
    bool IsBreached,
    bool IsMet,
    DateTimeOffset? MetAt,
    DateTimeOffset AsOf);

/// <summary>
/// Computes an SLA clock from facts only: opened instant, pauses, met instant and now. It keeps no state,
/// so every status — due, warned, breached — can be recomputed from the case's event log at any time,
/// e.g. after a year file is added to or corrected in the business calendar: the opened and met instants and the
/// pauses (time spent in waiting-on-merchant states) all come from the event log, and nothing here is stored.
/// </summary>
public static class SlaClock
{
    public static SlaStatus Compute(
        BusinessCalendar calendar,
        TimeSpan target,
        double warnAtFraction,
        DateTimeOffset openedAt,
        IEnumerable<SlaPause> pauses,
        DateTimeOffset? metAt,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(pauses);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(target, TimeSpan.Zero);
        if (double.IsNaN(warnAtFraction) || warnAtFraction is <= 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(warnAtFraction), warnAtFraction, "The warning fraction must be in (0, 1].");

        openedAt = openedAt.ToUniversalTime();
        now = now.ToUniversalTime();
        var met = metAt?.ToUniversalTime();
        if (met < openedAt)
            throw new ArgumentOutOfRangeException(nameof(metAt), metAt, "An SLA cannot be met before the case was opened.");

        // The clock stops when the SLA is met; nothing after that (or after now) is known yet.
        var stop = met is { } m && m < now ? m : now;
        if (stop < openedAt)
            stop = openedAt;
        var known = pauses.ToList();
        var stopped = Normalize(known, openedAt, stop);

        var elapsed = calendar.BusinessTimeBetween(openedAt, stop)
            - stopped.Aggregate(TimeSpan.Zero, (sum, p) => sum + calendar.BusinessTimeBetween(p.From, p.To));
        var due = InstantAfter(calendar, target, openedAt, stopped);
        var warnThreshold = target * warnAtFraction;
        var warnAt = InstantAfter(calendar, warnThreshold, openedAt, stopped);
        var isMet = met is not null && met <= now;

        return new SlaStatus(
            Target: target,
            Due: due,
            WarnAt: warnAt,
            Elapsed: elapsed,
            Remaining: elapsed < target ? target - elapsed : TimeSpan.Zero,
            IsPaused: !isMet && known.Any(p => p.From <= now && (p.To is null || p.To > now)),
            IsWarned: elapsed >= warnThreshold,
            IsBreached: isMet ? met > due : now >= due,
            IsMet: isMet,
            MetAt: isMet ? met : null,
            AsOf: now);
    }

    /// <summary>The instant the running clock reaches <paramref name="duration"/>, skipping the (sorted, disjoint) pauses.</summary>
    private static DateTimeOffset InstantAfter(BusinessCalendar calendar, TimeSpan duration, DateTimeOffset openedAt, List<(DateTimeOffset From, DateTimeOffset To)> stopped)
    {
        var remaining = duration;
        var cursor = openedAt;
        foreach (var (from, to) in stopped)
        {
            var running = calendar.BusinessTimeBetween(cursor, from);
            if (running >= remaining)
                return calendar.AddBusinessTime(cursor, remaining);
            remaining -= running;
            cursor = to;
        }
        return calendar.AddBusinessTime(cursor, remaining);
    }

    // Pauses clipped to [openedAt, stop], an open pause ending at stop, sorted and merged so overlaps count once.
    private static List<(DateTimeOffset From, DateTimeOffset To)> Normalize(IEnumerable<SlaPause> pauses, DateTimeOffset openedAt, DateTimeOffset stop)
    {
        var merged = new List<(DateTimeOffset From, DateTimeOffset To)>();
        var clipped = pauses
            .Select(p => (From: Max(p.From.ToUniversalTime(), openedAt), To: Min(p.To?.ToUniversalTime() ?? stop, stop)))
            .Where(p => p.To > p.From)
            .OrderBy(p => p.From);
        foreach (var pause in clipped)
        {
            if (merged.Count > 0 && pause.From <= merged[^1].To)
                merged[^1] = (merged[^1].From, Max(merged[^1].To, pause.To));
            else
                merged.Add(pause);
        }
        return merged;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
