using MediatR;

namespace PosSupport.Core.Cases;

/// <summary>Published after commit whenever a case was written (dashboards refresh on it).</summary>
public sealed record CaseChanged(Guid CaseId, long Version) : INotification;

/// <summary>Published after commit with follow-up rows created in the transaction, so the clock can arm them.</summary>
public sealed record FollowUpsArmed(IReadOnlyList<Guid> FollowUpIds) : INotification;

/// <summary>Published after commit with follow-up rows cancelled in the transaction, so their jobs can be deleted.</summary>
public sealed record FollowUpsDisarmed(IReadOnlyList<Guid> FollowUpIds) : INotification;
