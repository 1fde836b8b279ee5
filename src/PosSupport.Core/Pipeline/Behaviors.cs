using System.Diagnostics;
using FluentValidation;
using MediatR;
using Microsoft.Extensions.Logging;

namespace PosSupport.Core.Pipeline;

/// <summary>
/// Logs each request's name, outcome and duration. Never the request's content: it may carry ID-card or
/// bank-card numbers, phone numbers and free text from merchants.
/// </summary>
public sealed partial class LoggingBehavior<TRequest, TResponse>(ILogger<LoggingBehavior<TRequest, TResponse>> logger)
    : IPipelineBehavior<TRequest, TResponse>
{
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await next().ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            Handled(logger, Name, elapsed);
            return response;
        }
        catch (CaseStoreException e)
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var reason = e.GetType().Name;
            Refused(logger, Name, reason, elapsed);
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            Failed(logger, e, Name, elapsed);
            throw;
        }
    }

    private static readonly string Name = RequestName(typeof(TRequest));

    internal static string RequestName(Type type) => type.DeclaringType is { } outer ? $"{outer.Name}.{type.Name}" : type.Name;

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Request} handled in {ElapsedMs:F1} ms")]
    private static partial void Handled(ILogger logger, string request, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Request} refused ({Reason}) in {ElapsedMs:F1} ms")]
    private static partial void Refused(ILogger logger, string request, string reason, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Request} failed in {ElapsedMs:F1} ms")]
    private static partial void Failed(ILogger logger, Exception exception, string request, double elapsedMs);
}

/// <summary>Runs every FluentValidation validator of the request and reports all their errors at once.</summary>
public sealed class ValidationBehavior<TRequest, TResponse>(IEnumerable<IValidator<TRequest>> validators)
    : IPipelineBehavior<TRequest, TResponse>
{
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var failures = new List<FluentValidation.Results.ValidationFailure>();
        foreach (var validator in validators)
        {
            var result = await validator.ValidateAsync(request, cancellationToken).ConfigureAwait(false);
            failures.AddRange(result.Errors);
        }
        if (failures.Count > 0)
            throw new ValidationFailedException(failures
                .GroupBy(f => f.PropertyName, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Select(f => f.ErrorMessage).Distinct().ToArray(), StringComparer.Ordinal));
        return await next().ConfigureAwait(false);
    }
}

/// <summary>
/// One connection per request; for commands one transaction, committed when the handler returns and rolled back
/// when it throws. Notifications raised in the session are published after commit. A request sent from inside
/// another joins its session, so a command and what it triggers commit together. A command run by a
/// <see cref="UnitOfWork"/> that guards its commands joins the unit's transaction behind a savepoint: when it throws,
/// what it wrote is undone and the unit carries on.
/// </summary>
public sealed class TransactionBehavior<TRequest, TResponse>(CaseSession session, IMediator mediator, ServiceFactory services)
    : IPipelineBehavior<TRequest, TResponse>
{
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (session.IsOpen) return await JoinAsync(request, next, cancellationToken).ConfigureAwait(false);

        var write = request is not (IQuery<TResponse> or IBatchCommand<TResponse>);
        TResponse response;
        try
        {
            await session.OpenAsync(write, cancellationToken).ConfigureAwait(false);
            response = await next().ConfigureAwait(false);
        }
        catch
        {
            session.Discard();
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        await UnitOfWork.CompleteAsync(session, mediator, services, cancellationToken).ConfigureAwait(false);
        return response;
    }

    private async Task<TResponse> JoinAsync(TRequest request, RequestHandlerDelegate<TResponse> next, CancellationToken cancellationToken)
    {
        var guarded = session.GuardsCommands && session.Depth == 0 && request is not (IQuery<TResponse> or ISessionStep);
        var point = guarded ? await session.SaveAsync(cancellationToken).ConfigureAwait(false) : null;
        session.Depth++;
        try
        {
            return await next().ConfigureAwait(false);
        }
        catch when (point is not null)
        {
            await session.RollbackToAsync(point).ConfigureAwait(false);
            throw;
        }
        finally
        {
            session.Depth--;
        }
    }
}
