using System.Diagnostics;
using System.Diagnostics.Metrics;
using PosSupport.Core.FollowUps;

namespace PosSupport.Core.Metrics;

/// <summary>
/// The product's own instruments, on the meter <c>PosSupport</c> (System.Diagnostics.Metrics: whoever listens — the web host's
/// OpenTelemetry exporter, dotnet-counters, a test — sees them; nothing is recorded when nobody listens). A singleton, thread-safe.
/// Tags carry only names from the code and the workflow definitions (request types, results, workflow ids, states, triggers,
/// follow-up kinds, SLA clocks): never a case number, merchant, phone or id, so the number of series stays bounded and no
/// personal data leaves through a scrape.
/// </summary>
public sealed class PosSupportMetrics
{
    public const string MeterName = "PosSupport";

    private static readonly InstrumentAdvice<double> CommandBuckets =
        new() { HistogramBucketBoundaries = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] };

    private static readonly InstrumentAdvice<double> WriterBuckets =
        new() { HistogramBucketBoundaries = [0.25, 0.5, 1, 2, 3, 5, 10, 25, 50, 100, 250, 1000] };

    private static readonly InstrumentAdvice<double> LatenessBuckets =
        new() { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] };

    private readonly Counter<long> _commands;
    private readonly Histogram<double> _commandDuration;
    private readonly Counter<long> _transitions;
    private readonly Counter<long> _followUps;
    private readonly Histogram<double> _followUpLateness;
    private readonly Counter<long> _slaWarnings;
    private readonly Counter<long> _slaBreaches;
    private readonly Counter<long> _webhooks;
    private readonly Histogram<double> _writerHeld;

    public PosSupportMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _commands = meter.CreateCounter<long>("possupport.commands", "{command}",
            "Commands handled, by kind (request type) and result (ok, validation, not-found, conflict, concurrency, forbidden, transition-not-allowed, cancelled, error).");
        _commandDuration = meter.CreateHistogram("possupport.command.duration", "ms",
            "Time to handle a command through the whole pipeline (validation, transaction, handler, commit), by kind and result.", advice: CommandBuckets);
        _transitions = meter.CreateCounter<long>("possupport.workflow.transitions", "{transition}",
            "Committed workflow transitions, by workflow, from-state, to-state and trigger.");
        _followUps = meter.CreateCounter<long>("possupport.followups.fired", "{follow-up}",
            "Follow-ups that came due and were run, by kind (remind, fire, sla-warning, sla-breach) and outcome.");
        _followUpLateness = meter.CreateHistogram("possupport.followup.lateness", "s",
            "How long after its due time a follow-up ran (fired minus due), by kind.", advice: LatenessBuckets);
        _slaWarnings = meter.CreateCounter<long>("possupport.sla.warnings", "{warning}", "SLA warnings raised, by clock (first-response, resolution, state).");
        _slaBreaches = meter.CreateCounter<long>("possupport.sla.breaches", "{breach}", "SLA breaches recorded, by clock (first-response, resolution, state).");
        _webhooks = meter.CreateCounter<long>("possupport.webhook.deliveries", "{attempt}",
            "Webhook delivery attempts, by result (delivered, failed: retried later, dead-letter: given up, needs-template).");
        _writerHeld = meter.CreateHistogram("possupport.sqlite.writer.held", "ms",
            "SQLite: how long each write transaction held the process's single writer, from getting it to commit. Writes take turns, so 1000 / its mean bounds the write transactions a second.",
            advice: WriterBuckets);
    }

    /// <summary>SQLite: a write transaction gave the writer back after holding it <paramref name="elapsedMs"/>.</summary>
    public void WriterHeld(double elapsedMs) => _writerHeld.Record(elapsedMs);

    /// <summary>One command handled: <paramref name="kind"/> is the request's type name, <paramref name="result"/> one of <see cref="CommandResults"/>.</summary>
    public void CommandHandled(string kind, string result, double elapsedMs)
    {
        var tags = new TagList { { "kind", kind }, { "result", result } };
        _commands.Add(1, tags);
        _commandDuration.Record(elapsedMs, tags);
    }

    public void TransitionMade(string workflow, string from, string to, string trigger) =>
        _transitions.Add(1, new TagList { { "workflow", workflow }, { "from", from }, { "to", to }, { "trigger", trigger } });

    /// <summary>A follow-up that was due ran with <paramref name="outcome"/>, <paramref name="lateness"/> after its due time.</summary>
    public void FollowUpFired(string kind, FollowUpOutcome outcome, TimeSpan lateness)
    {
        _followUps.Add(1, new TagList { { "kind", kind }, { "outcome", OutcomeName(outcome) } });
        _followUpLateness.Record(Math.Max(0, lateness.TotalSeconds), new TagList { { "kind", kind } });
    }

    public void SlaWarned(SlaClockKind clock) => _slaWarnings.Add(1, new TagList { { "clock", ClockName(clock) } });

    public void SlaBreached(SlaClockKind clock) => _slaBreaches.Add(1, new TagList { { "clock", ClockName(clock) } });

    /// <summary>One delivery attempt recorded; <paramref name="status"/> is the delivery's status after it.</summary>
    public void WebhookAttempted(string status) => _webhooks.Add(1, new TagList
    {
        {
            "result", status switch
            {
                "delivered" => "delivered",
                "dead" => "dead-letter",
                "needs-template" => "needs-template",
                _ => "failed",
            }
        },
    });

    private static string ClockName(SlaClockKind clock) => clock switch
    {
        SlaClockKind.FirstResponse => "first-response",
        SlaClockKind.Resolution => "resolution",
        _ => "state",
    };

    private static string OutcomeName(FollowUpOutcome outcome) => outcome switch
    {
        FollowUpOutcome.Reminded => "reminded",
        FollowUpOutcome.Fired => "fired",
        FollowUpOutcome.Warned => "warned",
        FollowUpOutcome.Breached => "breached",
        FollowUpOutcome.Skipped => "skipped",
        FollowUpOutcome.Rescheduled => "rescheduled",
        FollowUpOutcome.Met => "met",
        FollowUpOutcome.NotDue => "not-due",
        FollowUpOutcome.AlreadyHandled => "already-handled",
        FollowUpOutcome.CaseMovedOn => "case-moved-on",
        _ => "not-found",
    };
}

/// <summary>The <c>result</c> tag of <c>possupport.commands</c>.</summary>
public static class CommandResults
{
    public const string Ok = "ok";
    public const string Validation = "validation";
    public const string NotFound = "not-found";
    public const string Conflict = "conflict";
    public const string Concurrency = "concurrency";
    public const string Forbidden = "forbidden";
    public const string TransitionNotAllowed = "transition-not-allowed";
    public const string Cancelled = "cancelled";
    public const string Error = "error";
}
