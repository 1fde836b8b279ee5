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

    /// <summary>Deletes a scheduled job; best effort (the job checks the row anyway).</summary>
    void Unschedule(string jobId);

    /// <summary>Whether the job is scheduled, queued or running.</summary>
    bool IsLive(string jobId);
}

/// <summary>No clock: rows stay unarmed until a process with a clock sweeps them (command-line tools seeding data).</summary>
public sealed class NoFollowUpScheduler : IFollowUpScheduler
{
    public string? Schedule(Guid followUpId, DateTimeOffset dueAt) => null;
    public void Unschedule(string jobId) { }
    public bool IsLive(string jobId) => false;
}

/// <summary>
/// Arms follow-up rows after the transaction that wrote them committed, and disarms cancelled ones. Failures are
/// logged, never thrown: the change is committed already, and the sweeper re-arms whatever this missed.
/// </summary>
public sealed partial class FollowUpArming(CaseDatabase database, IFollowUpScheduler scheduler, ILogger<FollowUpArming> logger)
    : INotificationHandler<FollowUpsArmed>, INotificationHandler<FollowUpsDisarmed>
{
    private sealed class Row
    {
        public Guid Id { get; set; }
        public DateTimeOffset DueAt { get; set; }
        public string? JobId { get; set; }
    }

    public async Task Handle(FollowUpsArmed notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            foreach (var id in notification.FollowUpIds)
            {
                var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
                    "SELECT id AS Id, due_at AS DueAt, job_id AS JobId FROM follow_ups WHERE id = @id AND status = 'pending'",
                    new { id }, cancellationToken: cancellationToken)).ConfigureAwait(false);
                if (row is not null) await ArmAsync(row.Id, row.DueAt, row.JobId, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ArmingFailed(logger, e, notification.FollowUpIds.Count);
        }
    }

    public async Task Handle(FollowUpsDisarmed notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            foreach (var id in notification.FollowUpIds)
                if (await connection.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT job_id FROM follow_ups WHERE id = @id",
                        new { id }, cancellationToken: cancellationToken)).ConfigureAwait(false) is { } job)
                    scheduler.Unschedule(job);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            DisarmingFailed(logger, e, notification.FollowUpIds.Count);
        }
    }

    /// <summary>
    /// Schedules a job for the row and records it, unless another process recorded one first (compare-and-set on the
    /// job id the caller saw): then the new job is deleted again, so one row has one live job.
    /// </summary>
    public async Task<bool> ArmAsync(Guid followUpId, DateTimeOffset dueAt, string? seenJobId, CancellationToken cancellationToken)
    {
        if (scheduler.Schedule(followUpId, dueAt) is not { } job) return false;
        int recorded;
        await using (await database.EnterWriteAsync(cancellationToken).ConfigureAwait(false))
        await using (var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            recorded = await connection.ExecuteAsync(new CommandDefinition(seenJobId is null
                    ? "UPDATE follow_ups SET job_id = @job WHERE id = @id AND status = 'pending' AND job_id IS NULL"
                    : "UPDATE follow_ups SET job_id = @job WHERE id = @id AND status = 'pending' AND job_id = @seen",
                new { job, id = followUpId, seen = seenJobId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        if (recorded == 1) return true;
        scheduler.Unschedule(job);
        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Arming {Count} follow-up(s) failed; the sweeper will arm them")]
    private static partial void ArmingFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting the jobs of {Count} cancelled follow-up(s) failed; they will find their rows cancelled")]
    private static partial void DisarmingFailed(ILogger logger, Exception exception, int count);
}
