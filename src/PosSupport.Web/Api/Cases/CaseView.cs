using System.Text.Json;
using PosSupport.Core.Cases;
using PosSupport.Core.FollowUps;
using PosSupport.Core.Privacy;
using PosSupport.Core.Workflows;
using PosSupport.Web.Api.Problems;

namespace PosSupport.Web.Api.Cases;

/// <summary>
/// A case as the API shows it to its caller. <see cref="From"/> is the one place GetCase's result becomes this shape:
/// titles in the caller's language, ID-card and bank-card numbers masked in free text, staff-only parts left out for channels.
/// </summary>
public sealed record CaseView(
    Guid Id,
    string Number,
    string Type,
    int WorkflowVersion,
    string TypeTitle,
    string State,
    string StateKind,
    string StateTitle,
    long Version,
    string Priority,
    string Description,
    MerchantSummary Merchant,
    string? DeviceSerial,
    string? ConversationId,
    Guid? LinkedCaseId,
    Guid? PreviousCaseId,
    ClaimView Claim,
    string? Outcome,
    string? OutcomeTitle,
    Guid? AssigneeId,
    int EscalationTier,
    DateTimeOffset OpenedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ResolvedAt,
    DateTimeOffset? ClosedAt,
    IReadOnlyList<ActionView> AllowedActions,
    IReadOnlyList<EvidenceView> Evidence,
    IReadOnlyList<OfferView> Offers,
    IReadOnlyList<FollowUpView>? FollowUps,
    IReadOnlyList<SlaClockView>? Sla)
{
    public static CaseView From(GetCase.Result result, HttpContext context, bool staff)
    {
        ArgumentNullException.ThrowIfNull(result);
        var c = result.Case;
        string T(LocalizedText text) => ApiLanguage.Text(context, text);
        // The evidence deadline is the state's time-out follow-up; channels do not see follow-ups, so they get no date.
        var evidenceDue = result.PendingFollowUps.Where(f => f.Trigger == "evidence-timed-out").Select(f => (DateTimeOffset?)f.DueAt).FirstOrDefault();
        return new CaseView(
            c.Id, c.Number, c.WorkflowId, c.WorkflowVersion, T(result.WorkflowTitle), c.State, c.StateKind, T(result.StateTitle), c.Version, c.Priority,
            Masking.Text(c.Description),
            new MerchantSummary(result.Merchant.Id, result.Merchant.Name, result.Merchant.MaskedPhone),
            result.Device?.SerialNumber, c.ConversationId, c.LinkedCaseId, c.PreviousCaseId,
            new ClaimView(c.ClaimAmountFen, c.ClaimChargedOn, c.ClaimChargedRateBp),
            c.Outcome, result.OutcomeTitle is { } outcome ? T(outcome) : null,
            staff ? c.AssigneeId : null, c.EscalationTier, c.OpenedAt, c.UpdatedAt, c.ResolvedAt, c.ClosedAt,
            result.AllowedActions.Select(a => new ActionView(a.Trigger, T(a.Title), a.Allowed,
                a.Reasons.Select(r => new ReasonView(r.Code, T(r.Text))).ToList(),
                a.Inputs.Select(i => new InputView(i.Name, T(i.Title), WorkflowSpelling.Of(i.Type), i.Required, i.Options)).ToList())).ToList(),
            result.Evidence.Select(e => new EvidenceView(e.Id, e.Type,
                EvidenceCatalog.All.TryGetValue(e.Type, out var type) ? T(type.Title) : e.Type, e.Status, e.RequiredNow,
                e.FileName is null ? null : Masking.Text(e.FileName), e.MediaType, e.SizeBytes,
                e.RequestedAt, e.SubmittedAt, e.Reason is null ? null : Masking.Text(e.Reason), e.Status == "requested" && e.RequiredNow ? evidenceDue : null)).ToList(),
            result.Offers.Select(o => new OfferView(o.Id, o.Kind, o.AmountFen, o.IsFinal, o.Status, o.ProposedAt, o.ExpiresAt, o.CounterAmountFen)).ToList(),
            staff ? result.PendingFollowUps.Select(f => new FollowUpView(f.Kind, f.Template, f.Trigger, f.DueAt)).ToList() : null,
            staff ? result.Sla.Select(c => SlaClockView.From(c, T(c.Title))).ToList() : null);
    }
}

public sealed record MerchantSummary(Guid Id, string Name, string MaskedPhone);

/// <param name="AmountFen">What the merchant says was charged (data-fee) or overcharged (fee-rate), in fen.</param>
/// <param name="ChargedOn">When the disputed fee was charged (yyyy-MM-dd).</param>
/// <param name="ChargedRateBp">The fee rate charged, in basis points (fee-rate disputes).</param>
public sealed record ClaimView(long? AmountFen, DateOnly? ChargedOn, int? ChargedRateBp);

/// <param name="Reasons">Why the action is blocked now, in the caller's language; empty when allowed.</param>
public sealed record ActionView(string Trigger, string Title, bool Allowed, IReadOnlyList<ReasonView> Reasons, IReadOnlyList<InputView> Inputs);

public sealed record ReasonView(string Code, string Text);

public sealed record InputView(string Name, string Title, string Type, bool Required, IReadOnlyList<string> Options);

/// <param name="Required">The current state needs this type of document.</param>
/// <param name="DueAt">For a document still to send: when the case closes for want of evidence (staff clients only).</param>
public sealed record EvidenceView(Guid Id, string Type, string Title, string Status, bool Required, string? FileName, string? MediaType, long? SizeBytes,
    DateTimeOffset RequestedAt, DateTimeOffset? SubmittedAt, string? Reason, DateTimeOffset? DueAt);

public sealed record OfferView(Guid Id, string Kind, long AmountFen, bool Final, string Status, DateTimeOffset ProposedAt, DateTimeOffset? ExpiresAt,
    long? CounterAmountFen);

public sealed record FollowUpView(string Kind, string? Template, string? Trigger, DateTimeOffset DueAt);

/// <summary>An SLA clock (staff clients only), counted in business time; paused while the case waits on the merchant.</summary>
/// <param name="Clock">first-response, resolution or state.</param>
public sealed record SlaClockView(string Clock, string Title, long TargetSeconds, DateTimeOffset Due, DateTimeOffset WarnAt, long ElapsedSeconds,
    long RemainingSeconds, bool Paused, bool Warned, bool Breached, bool Met, DateTimeOffset? MetAt)
{
    public static SlaClockView From(SlaView clock, string title)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var s = clock.Status;
        var kind = clock.Clock switch { SlaClockKind.FirstResponse => "first-response", SlaClockKind.Resolution => "resolution", _ => "state" };
        return new SlaClockView(kind, title, (long)s.Target.TotalSeconds, s.Due, s.WarnAt, (long)s.Elapsed.TotalSeconds, (long)s.Remaining.TotalSeconds,
            s.IsPaused, s.IsWarned, s.IsBreached, s.IsMet, s.MetAt);
    }
}

/// <summary>One timeline event; <see cref="Data"/> depends on <see cref="Kind"/>, with sensitive numbers masked.</summary>
public sealed record TimelineEventView(long Seq, string Kind, string Actor, string? ActorId, DateTimeOffset At, bool MerchantVisible, JsonElement Data)
{
    public static TimelineEventView From(GetTimeline.TimelineEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        using var masked = JsonDocument.Parse(Masking.Text(e.Data.GetRawText()));
        return new TimelineEventView(e.Seq, e.Kind, e.Actor, e.ActorId, e.At, e.MerchantVisible, masked.RootElement.Clone());
    }
}

public sealed record TimelinePage(Guid CaseId, IReadOnlyList<TimelineEventView> Events, long? NextAfter);

public sealed record CaseListItem(Guid Id, string Number, string Type, string State, string StateKind, string StateTitle, string? Outcome, Guid MerchantId,
    string? ConversationId, long Version, DateTimeOffset OpenedAt, DateTimeOffset UpdatedAt);

public sealed record CaseList(IReadOnlyList<CaseListItem> Items, string? NextCursor);
