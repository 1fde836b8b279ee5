using System.Text.Json;
using FluentValidation;
using MediatR;
using PosSupport.Core.Cases;
using PosSupport.Core.Data;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.FollowUps;

/// <summary>What running a follow-up's job did. Only the first four change the case.</summary>
public enum FollowUpOutcome
{
    /// <summary>A reminder went to the merchant.</summary>
    Reminded,
    /// <summary>The workflow trigger fired as the system.</summary>
    Fired,
    /// <summary>An SLA warning went to the assignee (or the supervisors).</summary>
    Warned,
    /// <summary>An SLA breach was recorded and the case escalated where its workflow allows.</summary>
    Breached,
    /// <summary>The trigger was not allowed any more; the timeline says why.</summary>
    Skipped,
    /// <summary>An SLA clock had stopped or moved (met, paused): the row now waits for its new due time.</summary>
    Rescheduled,
    /// <summary>An SLA clock was met (or had already warned or breached): nothing to do.</summary>
    Met,
    /// <summary>Not due yet (a clock that ran early): armed again for the due time.</summary>
    NotDue,
    /// <summary>The row was done or cancelled already, or another job owns it: at-least-once delivery, nothing done.</summary>
    AlreadyHandled,
    /// <summary>The case has left the state that armed the row: cancelled, nothing done.</summary>
    CaseMovedOn,
    /// <summary>No such row.</summary>
    NotFound,
}

/// <summary>
/// Runs one follow-up, as the system, in one transaction: a reminder (repeated N more times every D), a workflow trigger
/// (evidence timed out, offer expired, auto-close...), an SLA warning or an SLA breach (escalation). The job that wakes
/// it carries only the row id; this re-reads the row and the case and does nothing if either has moved on, so a job
/// run twice, late, or by two nodes at once has one effect.
/// </summary>
public static class FireFollowUp
{
    /// <param name="JobId">The clock's id for the job running this (null when run by hand): a job the row no longer names does nothing.</param>
    public sealed record Command(Guid FollowUpId, string? JobId = null) : ICommand<Result>;

    public sealed record Result(Guid FollowUpId, FollowUpOutcome Outcome, Guid? CaseId = null);

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator() => RuleFor(c => c.FollowUpId).NotEmpty();
    }

    public static readonly Caller System = Caller.System("follow-up");

    internal sealed class Row
    {
        public Guid Id { get; set; }
        public Guid CaseId { get; set; }
        public string State { get; set; } = "";
        public string Key { get; set; } = "";
        public string Kind { get; set; } = "";
        public string? Template { get; set; }
        public string? TriggerName { get; set; }
        public DateTimeOffset DueAt { get; set; }
        public int RepeatsLeft { get; set; }
        public long? EverySeconds { get; set; }
        public string Status { get; set; } = "";
        public string? JobId { get; set; }
        public DateTimeOffset CreatedAt { get; set; }
    }

    private const string RowSql = """
        SELECT id AS Id, case_id AS CaseId, state AS State, follow_up_key AS Key, kind AS Kind, template AS Template,
               trigger_name AS TriggerName, due_at AS DueAt, repeats_left AS RepeatsLeft, every_seconds AS EverySeconds,
               status AS Status, job_id AS JobId, created_at AS CreatedAt
          FROM follow_ups WHERE id = @id
        """;

    public sealed class Handler(CaseStore store, CaseWorkflow workflow, WorkflowEngine engine, BusinessCalendar calendar, IMediator mediator,
        PosSupportOptions options, TimeProvider clock, Metrics.PosSupportMetrics metrics) : IRequestHandler<Command, Result>
    {
        private CaseSession Session => store.Session;

        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            var found = await Session.QuerySingleOrDefaultAsync<Row>(RowSql, new { id = request.FollowUpId }, cancellationToken).ConfigureAwait(false);
            if (found is null) return new Result(request.FollowUpId, FollowUpOutcome.NotFound);

            // Every writer of a case's follow-ups holds the case row first; take it (the case as locked), then read the row again:
            // what was read before the lock may have moved meanwhile.
            var record = await store.LoadLockedAsync(found.CaseId, cancellationToken).ConfigureAwait(false);
            var row = await Session.QuerySingleOrDefaultAsync<Row>(RowSql, new { id = request.FollowUpId }, cancellationToken).ConfigureAwait(false);
            if (row is null) return new Result(request.FollowUpId, FollowUpOutcome.NotFound);
            Result Done(FollowUpOutcome outcome) => new(row.Id, outcome, row.CaseId);

            if (row.Status != "pending" || (request.JobId is not null && row.JobId is not null && row.JobId != request.JobId))
                return Done(FollowUpOutcome.AlreadyHandled);
            if (row.State != CaseSla.CaseScope && row.State != record.State)
            {
                await SetStatusAsync(row, "cancelled", cancellationToken).ConfigureAwait(false);
                return Done(FollowUpOutcome.CaseMovedOn);
            }

            var now = clock.GetUtcNow();
            if (row.DueAt > now)
            {
                // The row's own job woke early (or someone ran it by hand): arm it again for its time. A job the row does not
                // name is a leftover of an earlier due time (the row is being re-armed right now, or the sweeper will).
                if (request.JobId is not null && row.JobId != request.JobId) return Done(FollowUpOutcome.AlreadyHandled);
                await RearmAsync(row, row.DueAt, cancellationToken).ConfigureAwait(false);
                return Done(FollowUpOutcome.NotDue);
            }

            var outcome = row.Kind switch
            {
                "remind" => await RemindAsync(record, row, now, cancellationToken).ConfigureAwait(false),
                "fire" => await FireAsync(record, row, cancellationToken).ConfigureAwait(false),
                _ => await SlaAsync(record, row, now, cancellationToken).ConfigureAwait(false),
            };
            Session.AfterCommit(() => Measure(row, outcome, now - row.DueAt));
            return Done(outcome);
        }

        private void Measure(Row row, FollowUpOutcome outcome, TimeSpan lateness)
        {
            metrics.FollowUpFired(row.Kind, outcome, lateness);
            if (outcome == FollowUpOutcome.Warned) metrics.SlaWarned(CaseSla.ClockOf(row.Key)!.Value);
            if (outcome == FollowUpOutcome.Breached) metrics.SlaBreached(CaseSla.ClockOf(row.Key)!.Value);
        }

        private async Task<FollowUpOutcome> RemindAsync(CaseRecord record, Row row, DateTimeOffset now, CancellationToken cancellationToken)
        {
            await store.BumpAsync(record, null, cancellationToken).ConfigureAwait(false);
            await workflow.RemindAsync(record, System, row.Template!, cancellationToken).ConfigureAwait(false);
            if (row.RepeatsLeft > 0 && row.EverySeconds is { } every)
            {
                // The next one counts from this one's due time, so reminders keep their rhythm; after an outage longer than
                // the interval it counts from now, so the merchant never gets a burst of reminders that were all overdue.
                var next = row.DueAt + TimeSpan.FromSeconds(every);
                if (next <= now) next = now + TimeSpan.FromSeconds(every);
                await Session.ExecuteAsync("""
                    UPDATE follow_ups SET due_at = @next, repeats_left = repeats_left - 1, attempt = attempt + 1, job_id = NULL, fired_at = @now
                     WHERE id = @id
                    """, new { next, now, id = row.Id }, cancellationToken).ConfigureAwait(false);
                Session.PublishAfterCommit(new FollowUpsArmed([row.Id]));
            }
            else
            {
                await SetStatusAsync(row, "done", cancellationToken).ConfigureAwait(false);
            }
            Session.PublishAfterCommit(CaseChanged.Of(record));
            return FollowUpOutcome.Reminded;
        }

        private async Task<FollowUpOutcome> FireAsync(CaseRecord record, Row row, CancellationToken cancellationToken)
        {
            // Done first: leaving the state cancels its other pending follow-ups, not this one.
            await SetStatusAsync(row, "done", cancellationToken).ConfigureAwait(false);
            var read = await store.ReadSnapshotAsync(record, options.AgentOfferAuthorityFen, cancellationToken).ConfigureAwait(false);
            var allowed = engine.AllowedActions(read.Snapshot, Actor.System).FirstOrDefault(a => a.Trigger == row.TriggerName);
            if (allowed is not { Allowed: true })
            {
                await store.BumpAsync(record, null, cancellationToken).ConfigureAwait(false);
                await store.AppendEventAsync(record.Id, "follow-up-skipped", System, merchantVisible: false, new
                {
                    trigger = row.TriggerName,
                    title = new LocalizedText($"Scheduled step '{row.TriggerName}' did not run", $"定时步骤“{row.TriggerName}”未执行"),
                    reasons = allowed?.Reasons ?? [],
                }, cancellationToken).ConfigureAwait(false);
                Session.PublishAfterCommit(CaseChanged.Of(record));
                return FollowUpOutcome.Skipped;
            }
            await workflow.FireAsync(record, System, row.TriggerName!, NoInputs, null, read, cancellationToken).ConfigureAwait(false);
            return FollowUpOutcome.Fired;
        }

        private async Task<FollowUpOutcome> SlaAsync(CaseRecord record, Row row, DateTimeOffset now, CancellationToken cancellationToken)
        {
            var clockKind = CaseSla.ClockOf(row.Key) ?? throw new InvalidOperationException($"Follow-up {row.Id} has an unknown SLA key '{row.Key}'.");
            var definition = engine.Catalog.Get(record.WorkflowId, record.WorkflowVersion);
            var events = await CaseSla.ReadEventsAsync(Session, record.Id, cancellationToken).ConfigureAwait(false);
            var status = CaseSla.Compute(clockKind, record, definition, events, calendar, now);
            var breach = row.Kind == "sla-breach";
            var eventKind = breach ? "sla-breached" : "sla-warning";
            if (status is null || status.IsMet || await AlreadyRecordedAsync(record.Id, eventKind, row, cancellationToken).ConfigureAwait(false))
            {
                await SetStatusAsync(row, "done", cancellationToken).ConfigureAwait(false);
                return FollowUpOutcome.Met;
            }
            if (!(breach ? status.IsBreached : status.IsWarned))
            {
                // Paused time moved the clock: wait for the instant it now reaches (recomputed again then).
                await RearmAsync(row, breach ? status.Due : status.WarnAt, cancellationToken).ConfigureAwait(false);
                return FollowUpOutcome.Rescheduled;
            }

            await SetStatusAsync(row, "done", cancellationToken).ConfigureAwait(false);
            await store.BumpAsync(record, null, cancellationToken).ConfigureAwait(false);
            var title = CaseSla.TitleOf(clockKind);
            await store.AppendEventAsync(record.Id, eventKind, System, merchantVisible: false, new
            {
                clock = row.Key, scope = row.State, due = status.Due, target = status.Target.ToString(),
                title = breach
                    ? new LocalizedText($"SLA breached: {title.En}", $"已超出服务时限：{title.ZhCn}")
                    : new LocalizedText($"SLA at risk: {title.En}", $"服务时限即将到期：{title.ZhCn}"),
            }, cancellationToken).ConfigureAwait(false);
            Session.PublishAfterCommit(CaseChanged.Of(record));
            if (!breach)
            {
                await workflow.NotifyStaffAsync(record, System, SlaWarning(record, title, status), cancellationToken).ConfigureAwait(false);
                return FollowUpOutcome.Warned;
            }
            await EscalateAsync(record, title, cancellationToken).ConfigureAwait(false);
            return FollowUpOutcome.Breached;
        }

        // A breach passes the case up once: to a supervisor, or to tier 2 when a supervisor has it already.
        private async Task EscalateAsync(CaseRecord record, LocalizedText clockTitle, CancellationToken cancellationToken)
        {
            var definition = engine.Catalog.Get(record.WorkflowId, record.WorkflowVersion);
            var reason = $"SLA breached: {clockTitle.En} / 已超出服务时限：{clockTitle.ZhCn}";
            int tier;
            if (record.State == CaseWorkflow.EscalatedState(definition))
            {
                if (record.EscalationTier >= Escalate.TierTwo) return;
                tier = Escalate.TierTwo;
            }
            else
            {
                var snapshot = await store.SnapshotAsync(record, options.AgentOfferAuthorityFen, cancellationToken).ConfigureAwait(false);
                if (engine.AllowedActions(snapshot, Actor.System).FirstOrDefault(a => a.Trigger == "escalate") is not { Allowed: true }) return;
                tier = Escalate.Supervisor;
            }
            await mediator.Send(new Escalate.Command(record.Id, tier, reason, System), cancellationToken).ConfigureAwait(false);
        }

        private static LocalizedText SlaWarning(CaseRecord record, LocalizedText clock, SlaStatus status)
        {
            var due = TimeZoneInfo.ConvertTime(status.Due, Shanghai);
            return new LocalizedText(
                $"Case {record.Number}: the {clock.En.ToLowerInvariant()} target is due at {due:yyyy-MM-dd HH:mm} (Beijing time).",
                $"工单{record.Number}：{clock.ZhCn}将于北京时间{due:yyyy-MM-dd HH:mm}到期。");
        }

        private async Task<bool> AlreadyRecordedAsync(Guid caseId, string eventKind, Row row, CancellationToken cancellationToken)
        {
            // One warning and one breach per clock (per stay in a state, for the state's own clock).
            var since = row.State == CaseSla.CaseScope ? DateTimeOffset.MinValue : row.CreatedAt;
            var recorded = await Session.QueryAsync<SlaEvent>(
                "SELECT kind AS Kind, actor AS Actor, visibility AS Visibility, at AS At, data AS Data FROM case_events WHERE case_id = @caseId AND kind = @eventKind",
                new { caseId, eventKind }, cancellationToken).ConfigureAwait(false);
            return recorded.Any(e => e.At >= since && ClockOf(e.Data) == row.Key);
        }

        private static string? ClockOf(string data)
        {
            using var document = JsonDocument.Parse(data);
            return document.RootElement.TryGetProperty("clock", out var clock) ? clock.GetString() : null;
        }

        private async Task RearmAsync(Row row, DateTimeOffset due, CancellationToken cancellationToken)
        {
            await Session.ExecuteAsync("UPDATE follow_ups SET due_at = @due, job_id = NULL WHERE id = @id", new { due, id = row.Id }, cancellationToken)
                .ConfigureAwait(false);
            Session.PublishAfterCommit(new FollowUpsArmed([row.Id]));
        }

        private Task<int> SetStatusAsync(Row row, string status, CancellationToken cancellationToken) =>
            Session.ExecuteAsync("UPDATE follow_ups SET status = @status, fired_at = @now, attempt = attempt + 1 WHERE id = @id",
                new { status, now = clock.GetUtcNow(), id = row.Id }, cancellationToken);

        private static readonly IReadOnlyDictionary<string, string> NoInputs = new Dictionary<string, string>();
        private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    }
}
