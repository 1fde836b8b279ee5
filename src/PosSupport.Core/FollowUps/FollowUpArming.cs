using Dapper;
using MediatR;
using Microsoft.Extensions.Logging;
using PosSupport.Core.Cases;
using PosSupport.Core.Data;

namespace PosSupport.Core.FollowUps;

/// <summary>
/// The clock that wakes follow-ups: schedules a job carrying only a follow-up row's id, to run at (never before)
/// its due instant, and answers whether a job it scheduled is still going to run. The web host uses Hangfire.
/// The database stays the truth: a job may run twice, late, or not at all, and the sweeper makes up for it.
/// </summary>
public interface IFollowUpScheduler
{
    /// <summary>Schedules the follow-up's job; returns its id, or null when this process has no clock (CLI tools).</summary>
    string? Schedule(Guid followUpId, DateTimeOffset dueAt);

    /// <summary>Deletes a scheduled job, maybe later and off the caller's path; best effort (the job checks the row anyway).</summary>
    void Unschedule(string jobId);

    /// <summary>Whether the job is scheduled, queued or running.</summary>
    bool IsLive(string jobId);

    /// <summary>
    /// Moves a job that is still scheduled to run at <paramref name="dueAt"/> instead (at once when that has passed); a job
    /// that has left the schedule meanwhile is left alone. Returns whether it moved.
    /// </summary>
    bool Reschedule(string jobId, DateTimeOffset dueAt);
}

/// <summary>No clock: rows stay unarmed until a process with a clock sweeps them (command-line tools seeding data).</summary>
public sealed class NoFollowUpScheduler : IFollowUpScheduler
{
    public string? Schedule(Guid followUpId, DateTimeOffset dueAt) => null;
    public void Unschedule(string jobId) { }
    public bool IsLive(string jobId) => false;
    public bool Reschedule(string jobId, DateTimeOffset dueAt) => false;
}

/// <summary>
/// Arms follow-up rows after the transaction that wrote them committed, and disarms cancelled ones. Failures are
/// logged, never thrown: the change is committed already, and the sweeper re-arms whatever this missed.
/// </summary>
/// <remarks>
/// Rows that wake on the same whole second share one job: a job names its rows through their <c>job_id</c> and fires
/// them all when it runs (<see cref="FollowUpJobRunner"/>). Ten thousand follow-ups falling due in one minute are then
/// sixty jobs, not ten thousand, so the clock's own cost per job stops bounding how fast follow-ups fire. A row joins a
/// live job of its second only while that second is more than <see cref="JoinMargin"/> away, so it never joins a job
/// that has already listed its rows; otherwise it gets a job of its own. Only rows due within <see cref="Reach"/> get a
/// job here; the every-minute sweep arms the others as they come within reach.
/// <para>
/// In a host that runs <see cref="FollowUpArmingLoop"/> (the web host), new rows are handed to it and armed in batches in
/// the background: arming is a second write transaction, and inside the request it added a commit (an fsync on SQLite) to
/// every command that armed anything. Without the loop (command-line tools, slice tests) they are armed here, at once.
/// </para>
/// </remarks>
public sealed partial class FollowUpArming(
    CaseDatabase database, IFollowUpScheduler scheduler, TimeProvider clock, ILogger<FollowUpArming> logger, FollowUpArmingLoop? loop = null)
    : INotificationHandler<FollowUpsArmed>, INotificationHandler<FollowUpsDisarmed>
{
    /// <summary>
    /// How long a job for rows due within <see cref="JoinMargin"/> (or overdue) is held back while its rows are recorded:
    /// it is moved to its real time after the commit, so it can never run before its rows name it. Should the process die
    /// in between, the job still runs, this much late.
    /// </summary>
    public static readonly TimeSpan Hold = TimeSpan.FromSeconds(30);

    /// <summary>How far ahead a row's wake-up second must be for the row to join a job already scheduled for it.</summary>
    public static readonly TimeSpan JoinMargin = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How far ahead of its due time a row gets a job. A row due later stays pending without one until the every-minute
    /// sweep finds it within reach (<see cref="SweepFollowUps"/>), about a quarter of an hour early. Most follow-ups a
    /// command writes are due in hours or days (a reminder tomorrow, an SLA warning next week) and many are cancelled
    /// before then, so they now cost the command no job and no second write transaction: on PostgreSQL a quarter of a
    /// command's statements were Hangfire's.
    /// </summary>
    public static readonly TimeSpan Reach = TimeSpan.FromMinutes(15);

    // CROSS JOIN: SQLite takes the tables in the order written, so the list drives and each row is found by its key;
    // left to itself, it guessed the list large and walked every pending row instead.

    /// <summary>
    /// The pending rows without a job among <c>@ids</c> (see <see cref="SqlDialect.List"/>) due by <c>@until</c>, each found by
    /// its key.
    /// </summary>
    internal static string UnarmedSql(DatabaseProvider provider) => $"""
        SELECT f.id AS Id, f.due_at AS DueAt, f.job_id AS JobId
          FROM {provider.ListRows("@ids")} l CROSS JOIN follow_ups f
         WHERE f.id = l.value AND f.status = 'pending' AND f.job_id IS NULL AND f.due_at <= @until
        """;

    /// <summary>The jobs the rows <c>@ids</c> name, each row found by its key.</summary>
    internal static string JobsOfSql(DatabaseProvider provider) =>
        $"SELECT DISTINCT f.job_id FROM {provider.ListRows("@ids")} l CROSS JOIN follow_ups f WHERE f.id = l.value AND f.job_id IS NOT NULL";

    /// <summary>Which of the jobs <c>@some</c> a pending row still names: one probe of ix_follow_ups_pending_job each.</summary>
    internal static string JobsStillWaitedOnSql(DatabaseProvider provider) => $"""
        SELECT l.value FROM {provider.ListRows("@some")} l
         WHERE EXISTS (SELECT 1 FROM follow_ups f WHERE f.job_id = l.value AND f.status = 'pending')
        """;

    /// <summary>The jobs of pending rows due in (<c>@from</c>, <c>@wake</c>]: a range of ix_follow_ups_pending_due.</summary>
    internal const string JobsWakingSql = """
        SELECT DISTINCT job_id FROM follow_ups
         WHERE status = 'pending' AND due_at > @from AND due_at <= @wake AND job_id IS NOT NULL
        """;

    /// <summary>How many ids one read asks for.</summary>
    private const int ReadBatch = 500;

    /// <summary>A pending row to arm, with the job id it had when read (null, or a job found dead).</summary>
    public sealed record Pending(Guid Id, DateTimeOffset DueAt, string? SeenJobId);

    private sealed class Row
    {
        public Guid Id { get; set; }
        public DateTimeOffset DueAt { get; set; }
        public string? JobId { get; set; }
    }

    /// <summary>The whole second a row's job wakes at: its due instant rounded up, so a job never runs before its rows are due.</summary>
    public static DateTimeOffset WakeAt(DateTimeOffset dueAt)
    {
        var ticks = dueAt.UtcTicks;
        return new DateTimeOffset(ticks + (TimeSpan.TicksPerSecond - ticks % TimeSpan.TicksPerSecond) % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    public async Task Handle(FollowUpsArmed notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (loop is not null) loop.Post(notification.FollowUpIds);
        else await ArmRowsAsync(notification.FollowUpIds, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Arms those of the rows that are still pending, have no job and are due within <see cref="Reach"/>. Failures are
    /// logged: the sweeper arms what this missed.
    /// </summary>
    public async Task ArmRowsAsync(IReadOnlyList<Guid> followUpIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(followUpIds);
        try
        {
            var rows = new List<Row>();
            var until = clock.GetUtcNow() + Reach;
            await using (var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
            {
                var sql = UnarmedSql(database.Provider);
                foreach (var ids in followUpIds.Chunk(ReadBatch))
                    rows.AddRange(await connection.QueryAsync<Row>(new CommandDefinition(sql, new { ids = database.Provider.List(ids), until },
                        cancellationToken: cancellationToken)).ConfigureAwait(false));
            }
            if (rows.Count == 0) return;
            await ArmAsync([.. rows.Select(r => new Pending(r.Id, r.DueAt, r.JobId))], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ArmingFailed(logger, e, followUpIds.Count);
        }
    }

    public async Task Handle(FollowUpsDisarmed notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            var jobs = new HashSet<string>(StringComparer.Ordinal);
            var provider = database.Provider;
            var named = JobsOfSql(provider);
            var waitedOn = JobsStillWaitedOnSql(provider);
            foreach (var ids in notification.FollowUpIds.Chunk(ReadBatch))
                jobs.UnionWith(await connection.QueryAsync<string>(new CommandDefinition(named, new { ids = provider.List(ids) },
                    cancellationToken: cancellationToken)).ConfigureAwait(false));
            // A shared job stays while another pending row still counts on it.
            var kept = new HashSet<string>(StringComparer.Ordinal);
            foreach (var some in jobs.Chunk(ReadBatch))
                kept.UnionWith(await connection.QueryAsync<string>(new CommandDefinition(waitedOn, new { some = provider.List(some) },
                    cancellationToken: cancellationToken)).ConfigureAwait(false));
            foreach (var job in jobs.Where(j => !kept.Contains(j))) scheduler.Unschedule(job);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            DisarmingFailed(logger, e, notification.FollowUpIds.Count);
        }
    }

    /// <summary>
    /// Gives each row due within <see cref="Reach"/> a job (rows due later are left for the sweep): the rows waking on the
    /// same second share one, a live one already scheduled for that second
    /// when there is one far enough ahead, else a new one; rows already due share a job queued at once. The job id is
    /// recorded with a compare-and-set on the job id each row had when read, so a row another process armed meanwhile
    /// keeps its job; a new job that no row took is deleted again. Returns the rows this armed.
    /// </summary>
    /// <remarks>
    /// A job finds its rows by the job id they name, and that id is only known once the job exists: a job that ran before
    /// the transaction recording it committed would find none of them (and fire only the row it carries). So a new job due
    /// within <see cref="JoinMargin"/> is created <see cref="Hold"/> ahead and moved to its real time after the commit.
    /// </remarks>
    public async Task<IReadOnlyList<Guid>> ArmAsync(IReadOnlyList<Pending> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var now = clock.GetUtcNow();
        rows = [.. rows.Where(r => r.DueAt <= now + Reach)];
        // First a job for each wake-up second, then one transaction recording them all, then the held jobs released.
        var plans = new List<(string Job, bool Joined, DateTimeOffset? Release, List<Pending> Members)>();
        foreach (var group in rows.GroupBy(r => r.DueAt <= now ? DateTimeOffset.MinValue : WakeAt(r.DueAt)))
        {
            var members = group.ToList();
            var wake = group.Key == DateTimeOffset.MinValue ? members.Min(m => m.DueAt) : group.Key;
            string? job = null;
            var joined = false;
            DateTimeOffset? release = null;
            if (wake - now > JoinMargin)
            {
                job = await LiveJobOfSecondAsync(wake, cancellationToken).ConfigureAwait(false);
                joined = job is not null;
                job ??= scheduler.Schedule(members[0].Id, wake);
            }
            else
            {
                release = wake;
                job = scheduler.Schedule(members[0].Id, now + Hold);
            }
            if (job is null) break;
            plans.Add((job, joined, release, members));
        }
        if (plans.Count == 0) return [];

        var armed = new List<Guid>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        await using (var writer = await database.EnterWriteAsync(cancellationToken).ConfigureAwait(false))
        await using (var transaction = await writer.Connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            var connection = writer.Connection;
            foreach (var (job, _, _, members) in plans)
                foreach (var member in members)
                {
                    var recorded = await connection.ExecuteAsync(new CommandDefinition(member.SeenJobId is null
                            ? "UPDATE follow_ups SET job_id = @job WHERE id = @id AND status = 'pending' AND job_id IS NULL"
                            : "UPDATE follow_ups SET job_id = @job WHERE id = @id AND status = 'pending' AND job_id = @seen",
                        new { job, id = member.Id, seen = member.SeenJobId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                    if (recorded != 1) continue;
                    armed.Add(member.Id);
                    taken.Add(job);
                }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        foreach (var (job, joined, release, _) in plans)
        {
            if (!joined && !taken.Contains(job)) scheduler.Unschedule(job);
            else if (release is { } at) scheduler.Reschedule(job, at);
        }
        return armed;
    }

    // A job of another pending row waking on the same second, still waiting to run.
    private async Task<string?> LiveJobOfSecondAsync(DateTimeOffset wake, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var jobs = await connection.QueryAsync<string>(new CommandDefinition(JobsWakingSql, new { from = wake - TimeSpan.FromSeconds(1), wake },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return jobs.FirstOrDefault(scheduler.IsLive);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Arming {Count} follow-up(s) failed; the sweeper will arm them")]
    private static partial void ArmingFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting the jobs of {Count} cancelled follow-up(s) failed; they will find their rows cancelled")]
    private static partial void DisarmingFailed(ILogger logger, Exception exception, int count);
}
