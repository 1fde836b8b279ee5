using PosSupport.Core.Evidence;

namespace PosSupport.Web.Dashboard;

/// <summary>Evidence files for signed-in staff (the case page's preview and download links), through GetEvidenceFile.</summary>
public static class EvidenceEndpoints
{
    public static IEndpointRouteBuilder MapEvidenceDownloads(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/dashboard/cases/{caseId:guid}/evidence/{evidenceId:guid}", (Delegate)DownloadAsync)
            .RequireAuthorization(StaffPolicies.Staff).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> DownloadAsync(Guid caseId, Guid evidenceId, bool? download, HttpContext context, RequestSender sender)
    {
        if (StaffUser.From(context.User) is not { } user) return Results.Forbid();
        try
        {
            var file = await sender.SendAsync(new GetEvidenceFile.Query(caseId, evidenceId, user.Caller), context.RequestAborted);
            // Shown inline only as the stored (checked) media type; a download keeps the merchant's file name.
            return Results.File(file.Content, file.MediaType, download == true ? file.FileName : null);
        }
        catch (Core.Pipeline.NotFoundException)
        {
            return Results.NotFound();
        }
    }
}
