using System.Diagnostics;
using MediatR;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Metrics;

/// <summary>
/// Counts every command (not queries) by kind and result and records its duration: the outermost behavior, so the time
/// includes validation, waiting for the write gate, the handler and the commit. A singleton per request type: per request
/// it allocates nothing beyond what MediatR does (the kind is computed once per type, the tags are a struct).
/// </summary>
public sealed class MetricsBehavior<TRequest, TResponse>(PosSupportMetrics metrics) : IPipelineBehavior<TRequest, TResponse>
{
    private static readonly bool Measured = !typeof(IQuery<TResponse>).IsAssignableFrom(typeof(TRequest));
    private static readonly string Kind = LoggingBehavior<TRequest, TResponse>.RequestName(typeof(TRequest));

    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (!Measured) return await next().ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        var result = CommandResults.Error;
        try
        {
            var response = await next().ConfigureAwait(false);
            result = CommandResults.Ok;
            return response;
        }
        catch (Exception e)
        {
            result = ResultOf(e);
            throw;
        }
        finally
        {
            metrics.CommandHandled(Kind, result, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    internal static string ResultOf(Exception exception) => exception switch
    {
        ValidationFailedException => CommandResults.Validation,
        NotFoundException => CommandResults.NotFound,
        ConcurrencyConflictException => CommandResults.Concurrency,
        ConflictException or CaseClosedException => CommandResults.Conflict,
        ForbiddenException => CommandResults.Forbidden,
        TransitionNotAllowedException => CommandResults.TransitionNotAllowed,
        OperationCanceledException => CommandResults.Cancelled,
        _ => CommandResults.Error,
    };
}
