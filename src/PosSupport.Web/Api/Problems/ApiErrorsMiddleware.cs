using System.Globalization;

namespace PosSupport.Web.Api.Problems;

/// <summary>
/// Around every /api/v1 request: the caller's language for everything said in the request (validation messages too), and
/// every exception turned into a problem document — an expected one into its 4xx, anything else into a bare 500 that
/// carries no exception text or stack trace (those go to the log).
/// </summary>
public sealed partial class ApiErrorsMiddleware(RequestDelegate next, ILogger<ApiErrorsMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var culture = ApiLanguage.Culture(context);
        CultureInfo.CurrentUICulture = culture;
        try
        {
            await next(context);
        }
        catch (Exception e) when (!context.Response.HasStarted && !(e is OperationCanceledException && context.RequestAborted.IsCancellationRequested))
        {
            var problem = ApiProblems.FromException(context, e, context.Request.Headers.IfMatch.Count > 0);
            if (problem is null)
            {
                Failed(logger, e, context.Request.Method, context.Request.Path);
                problem = ApiProblems.Create(context, "internal", new Core.Workflows.LocalizedText(
                    "The server failed to handle the request; it has been logged.", "服务器处理请求失败，已记录日志。"));
            }
            context.Response.Clear();
            await ApiProblems.Write(context, problem);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "API request {Method} {Path} failed")]
    private static partial void Failed(ILogger logger, Exception exception, string method, string path);
}
