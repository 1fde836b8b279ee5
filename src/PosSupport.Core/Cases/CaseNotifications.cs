using MediatR;

namespace PosSupport.Core.Cases;

/// <summary>Published after commit whenever a case was written (dashboards refresh on it).</summary>
/// <param name="ChannelClientId">The API client whose channel opened the case, if one did: the webhook step needs no query for a case no client hears about.</param>
public sealed record CaseChanged(Guid CaseId, long Version, Guid? ChannelClientId) : INotification
{
    public static CaseChanged Of(CaseRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new CaseChanged(record.Id, record.Version, record.ChannelClientId);
    }
}

/// <summary>Published after commit with follow-up rows created in the transaction, so the clock can arm them.</summary>
public sealed record FollowUpsArmed(IReadOnlyList<Guid> FollowUpIds) : INotification;

/// <summary>Published after commit with follow-up rows cancelled in the transaction, so their jobs can be deleted.</summary>
public sealed record FollowUpsDisarmed(IReadOnlyList<Guid> FollowUpIds) : INotification;
