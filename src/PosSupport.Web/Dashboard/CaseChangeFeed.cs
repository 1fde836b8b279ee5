using MediatR;
using PosSupport.Core.Cases;

namespace PosSupport.Web.Dashboard;

/// <summary>
/// Tells open case pages that a case was written (after commit), whoever wrote it: another agent, a chat channel or a
/// follow-up job. A page that shows the case reads it again, so nobody works on a stale version for long.
/// </summary>
public sealed class CaseChangeFeed
{
    public event Action<CaseChanged>? Changed;

    internal void Raise(CaseChanged change) => Changed?.Invoke(change);
}

/// <summary>Relays <see cref="CaseChanged"/> from the MediatR pipeline to <see cref="CaseChangeFeed"/>.</summary>
public sealed class CaseChangeRelay(CaseChangeFeed feed) : INotificationHandler<CaseChanged>
{
    public Task Handle(CaseChanged notification, CancellationToken cancellationToken)
    {
        feed.Raise(notification);
        return Task.CompletedTask;
    }
}
