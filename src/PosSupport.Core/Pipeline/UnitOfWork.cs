using MediatR;
using PosSupport.Core.Webhooks;

namespace PosSupport.Core.Pipeline;

/// <summary>
/// Several requests of one caller as one transaction: an API request with an <c>Idempotency-Key</c> claims the key, runs
/// its commands and stores its response, and all of it commits at once or not at all. Scoped, like the session it opens:
/// every request sent through <see cref="IMediator"/> between <see cref="BeginAsync"/> and <see cref="CommitAsync"/> or
/// <see cref="RollbackAsync"/> joins it.
/// </summary>
public sealed class UnitOfWork(CaseSession session, IMediator mediator, ServiceFactory services)
{
    /// <param name="guardEachCommand">
    /// Whether each command sent at the top level gets a savepoint: one that fails is undone alone (its refusal is still an
    /// answer to store), and the unit can commit the rest.
    /// </param>
    public async Task BeginAsync(bool guardEachCommand, CancellationToken cancellationToken)
    {
        if (session.IsOpen) throw new InvalidOperationException("A unit of work begins before any request of its scope runs.");
        await session.OpenAsync(write: true, cancellationToken, guardEachCommand).ConfigureAwait(false);
    }

    /// <summary>Commits what the unit's requests wrote, then publishes their notifications.</summary>
    public Task CommitAsync(CancellationToken cancellationToken)
    {
        if (!session.IsOpen) throw new InvalidOperationException("The unit of work was not begun, or is over.");
        return CompleteAsync(session, mediator, services, cancellationToken);
    }

    /// <summary>Undoes everything the unit's requests wrote; nothing is published.</summary>
    public async ValueTask RollbackAsync()
    {
        session.Discard();
        await session.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The end of every write transaction: the webhooks of the cases it changed are queued inside it (so a committed change
    /// always has its deliveries), it commits, the after-commit actions run and the merged notifications are published.
    /// </summary>
    internal static async Task CompleteAsync(CaseSession session, IMediator mediator, ServiceFactory services, CancellationToken cancellationToken)
    {
        try
        {
            if (session.Transaction is not null) await QueueWebhooksAsync(session, services, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            session.RunCommitted();
        }
        catch
        {
            session.Discard();
            throw;
        }
        finally
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
        foreach (var notification in session.TakeNotifications())
            await mediator.Publish(notification, cancellationToken).ConfigureAwait(false);
    }

    // The webhook step's handler is called directly, not sent through IMediator: it is part of finishing this transaction,
    // not a request of its own, and a second pass through the behaviors (logging, validation, metrics, the session join)
    // for every command cost more than the step itself.
    private static async Task QueueWebhooksAsync(CaseSession session, ServiceFactory services, CancellationToken cancellationToken)
    {
        var changed = session.ChangedCases();
        if (changed.Count == 0) return;
        // A case no channel opened, or whose client is known to have no URL, has no one to tell: no query for it.
        var silent = services.GetInstance<SilentClients>();
        IRequestHandler<QueueWebhooks.Command, QueueWebhooks.Result>? handler = null;
        List<Guid>? deliveries = null;
        foreach (var change in changed)
        {
            if (change.ChannelClientId is not { } client || silent.Contains(client)) continue;
            handler ??= services.GetInstance<IRequestHandler<QueueWebhooks.Command, QueueWebhooks.Result>>();
            var queued = await handler.Handle(new QueueWebhooks.Command(change.CaseId, CaseLocked: true), cancellationToken).ConfigureAwait(false);
            if (queued.DeliveryIds.Count > 0) (deliveries ??= []).AddRange(queued.DeliveryIds);
        }
        if (deliveries is not null) session.PublishAfterCommit(new WebhooksQueued(deliveries));
    }
}
