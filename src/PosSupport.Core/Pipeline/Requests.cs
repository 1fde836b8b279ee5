using MediatR;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Pipeline;

/// <summary>A change: runs in one transaction; notifications it raises are published only after commit.</summary>
public interface ICommand<out TResponse> : IRequest<TResponse>;

/// <summary>A read: runs on its own connection without a write transaction.</summary>
public interface IQuery<out TResponse> : IRequest<TResponse>;

/// <summary>
/// A change made of many independent ones (e.g. moving every open case to a new workflow version): it reads on its
/// own connection like a query, and each unit it sends through a new scope commits in its own transaction.
/// </summary>
public interface IBatchCommand<out TResponse> : IRequest<TResponse>;

/// <summary>
/// A command that is a step of the unit of work it joins rather than a change of its own (claiming and completing an
/// <c>Idempotency-Key</c>): it gets no savepoint, so when it fails the whole unit fails with it.
/// </summary>
public interface ISessionStep;

/// <summary>
/// Who sends a request: an agent or supervisor (by user id), a chat channel speaking for the merchant (by API
/// client id), or a system job (by job name). Every request carries one; the timeline records it.
/// An administrator acts as a supervisor in workflows; <see cref="IsAdmin"/> is what lets admin-only requests (users, API
/// clients, webhook deliveries) tell them apart.
/// </summary>
public sealed record Caller(Actor Actor, string Id, Guid? ChannelClientId = null, bool IsAdmin = false)
{
    public static Caller System(string job) => new(Actor.System, job);
    public static Caller Agent(Guid userId) => new(Actor.Agent, userId.ToString("D"));
    public static Caller Supervisor(Guid userId) => new(Actor.Supervisor, userId.ToString("D"));
    public static Caller Channel(Guid clientId) => new(Actor.Customer, clientId.ToString("D"), clientId);

    /// <summary>An administrator (a dashboard user or an API client with role admin): a supervisor on cases.</summary>
    public static Caller Admin(Guid id) => new(Actor.Supervisor, id.ToString("D"), IsAdmin: true);

    public bool IsStaff => Actor is Actor.Agent or Actor.Supervisor;

    /// <summary>May run admin-only requests: an administrator, or the host itself (CLI verbs, start-up).</summary>
    public bool MayAdminister => IsAdmin || Actor == Actor.System;
}
