using PosSupport.Core.Workflows;

namespace PosSupport.Web.Api.Problems;

/// <summary>A client error found by the API layer itself (a header, an upload), answered as the problem of <see cref="Kind"/>.</summary>
public sealed class ApiProblemException(string kind, LocalizedText detail) : Exception(detail?.En)
{
    public string Kind { get; } = kind;
    public LocalizedText Detail { get; } = detail!;
}
