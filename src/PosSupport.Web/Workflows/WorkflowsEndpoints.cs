using Microsoft.AspNetCore.Http.HttpResults;
using PosSupport.Core.Workflows;

namespace PosSupport.Web.Workflows;

public static class WorkflowsEndpoints
{
    public static RouteGroupBuilder MapWorkflows(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/workflows").WithTags("Workflows");
        group.MapGet("/", List);
        group.MapGet("/{id}", GetNewest);
        group.MapGet("/{id}/versions/{version:int}", GetVersion);
        return group;
    }

    private static Ok<List<WorkflowDocument>> List(WorkflowCatalog catalog) =>
        TypedResults.Ok(catalog.All.Select(WorkflowDocument.From).ToList());

    private static Results<Ok<WorkflowDocument>, ProblemHttpResult> GetNewest(string id, WorkflowCatalog catalog) =>
        catalog.TryGetNewest(id, out var definition)
            ? TypedResults.Ok(WorkflowDocument.From(definition))
            : NotFound($"No workflow '{id}' is loaded.");

    private static Results<Ok<WorkflowDocument>, ProblemHttpResult> GetVersion(string id, int version, WorkflowCatalog catalog) =>
        catalog.TryGet(id, version, out var definition)
            ? TypedResults.Ok(WorkflowDocument.From(definition))
            : NotFound($"No workflow '{id}' version {version} is loaded.");

    private static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status404NotFound, title: "Workflow not found");
}
