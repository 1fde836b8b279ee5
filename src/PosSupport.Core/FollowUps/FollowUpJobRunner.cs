using Dapper;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PosSupport.Core.Data;

namespace PosSupport.Core.FollowUps;

/// <summary>
/// What a follow-up job does when the clock wakes it: fires every pending row the job names (the rows waking on its
/// second share it, see <see cref="FollowUpArming"/>), each in its own transaction and scope, a few at a time. A row
/// that fails does not stop the others; the job then fails so the clock runs it again, and the rows already fired
/// answer <see cref="FollowUpOutcome.AlreadyHandled"/> the second time.
/// </summary>
public sealed partial class FollowUpJobRunner(IServiceScopeFactory scopes, CaseDatabase database, ILogger<FollowUpJobRunner> logger)
{
    /// <summary>The pending rows a job wakes, in firing order (index ix_follow_ups_pending_job).</summary>
    internal const string RowsOfJobSql = "SELECT id FROM follow_ups WHERE job_id = @jobId AND status = 'pending' ORDER BY due_at";

    /// <param name="followUpId">The row the job was scheduled for (fired even if it names no job: run by hand).</param>
    /// <param name="jobId">The clock's id of the running job; null runs just <paramref name="followUpId"/>.</param>
    /// <param name="parallelism">How many rows fire at the same time.</param>
    public async Task<IReadOnlyList<FireFollowUp.Result>> RunAsync(Guid followUpId, string? jobId, int parallelism, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        var rows = new List<Guid> { followUpId };
        if (jobId is not null)
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            rows.AddRange((await connection.QueryAsync<Guid>(new CommandDefinition(
                RowsOfJobSql, new { jobId },
                cancellationToken: cancellationToken)).ConfigureAwait(false)).Where(id => id != followUpId));
        }

        var results = new FireFollowUp.Result?[rows.Count];
        var failures = new List<Exception>();
        await Parallel.ForEachAsync(Enumerable.Range(0, rows.Count),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    results[i] = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new FireFollowUp.Command(rows[i], jobId), token)
                        .ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    RowFailed(logger, e, rows[i]);
                    lock (failures) failures.Add(e);
                }
            }).ConfigureAwait(false);
        if (failures.Count > 0)
            throw new AggregateException($"{failures.Count} of {rows.Count} follow-up(s) of job {jobId ?? "(none)"} failed; the job will run again.", failures);
        return [.. results.Select(r => r!)];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Follow-up {FollowUpId} failed; its job will run again")]
    private static partial void RowFailed(ILogger logger, Exception exception, Guid followUpId);
}
