using MediatR;

namespace PosSupport.Web.Dashboard;

/// <summary>
/// Sends a dashboard request through the MediatR pipeline in a scope of its own. A Blazor circuit lives for hours and
/// may have two requests in flight; each request needs its own case session (one connection, one transaction).
/// </summary>
public sealed class RequestSender(IServiceScopeFactory scopes)
{
    public async Task<T> SendAsync<T>(IRequest<T> request, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request, cancellationToken);
    }
}
