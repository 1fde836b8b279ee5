using PosSupport.Core.FollowUps;

namespace PosSupport.Core.Tests.Support;

/// <summary>
/// A clock for follow-up jobs that runs only when told: it keeps what was scheduled, deleted and run, and hands the
/// jobs that are due at the fixture's fake time to the test, as Hangfire would hand them to a worker.
/// </summary>
public sealed class RecordingScheduler : IFollowUpScheduler
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (Guid FollowUpId, DateTimeOffset DueAt)> _live = new(StringComparer.Ordinal);
    private readonly List<string> _deleted = [];
    private int _next;

    /// <summary>Raised with each new job's id as soon as it is on the schedule (a worker could take it from then on).</summary>
    public event Action<string>? Scheduled;

    public string? Schedule(Guid followUpId, DateTimeOffset dueAt)
    {
        string job;
        lock (_gate)
        {
            job = "job-" + ++_next;
            _live[job] = (followUpId, dueAt);
        }
        Scheduled?.Invoke(job);
        return job;
    }

    public void Unschedule(string jobId)
    {
        lock (_gate)
        {
            _live.Remove(jobId);
            _deleted.Add(jobId);
        }
    }

    public bool IsLive(string jobId)
    {
        lock (_gate) return _live.ContainsKey(jobId);
    }

    public bool Reschedule(string jobId, DateTimeOffset dueAt)
    {
        lock (_gate)
        {
            if (!_live.TryGetValue(jobId, out var job)) return false;
            _live[jobId] = (job.FollowUpId, dueAt);
            return true;
        }
    }

    public IReadOnlyList<string> Deleted
    {
        get { lock (_gate) return _deleted.ToList(); }
    }

    /// <summary>Every live job.</summary>
    public IReadOnlyList<string> Live
    {
        get { lock (_gate) return _live.Keys.ToList(); }
    }

    /// <summary>Live jobs scheduled for one follow-up row (a row may also have joined another row's job: see SliceFixture.JobsOfAsync).</summary>
    public IReadOnlyList<string> JobsOf(Guid followUpId)
    {
        lock (_gate) return _live.Where(j => j.Value.FollowUpId == followUpId).Select(j => j.Key).ToList();
    }

    /// <summary>When a live job is scheduled to run; null when it is not live.</summary>
    public DateTimeOffset? DueOf(string jobId)
    {
        lock (_gate) return _live.TryGetValue(jobId, out var job) ? job.DueAt : null;
    }

    /// <summary>Takes the jobs due at <paramref name="now"/> off the schedule, earliest first, as a worker picks them up.</summary>
    public IReadOnlyList<(string JobId, Guid FollowUpId)> TakeDue(DateTimeOffset now)
    {
        lock (_gate)
        {
            var due = _live.Where(j => j.Value.DueAt <= now).OrderBy(j => j.Value.DueAt).ThenBy(j => j.Key, StringComparer.Ordinal)
                .Select(j => (j.Key, j.Value.FollowUpId)).ToList();
            foreach (var (job, _) in due) _live.Remove(job);
            return due;
        }
    }

    /// <summary>Every scheduled job vanishes, as with in-memory storage when the process stops.</summary>
    public void LoseAll()
    {
        lock (_gate) _live.Clear();
    }
}
