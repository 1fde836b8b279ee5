using FluentValidation;
using MediatR;
using PosSupport.Core.Cases;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Evidence;

/// <summary>The bytes of one evidence item, for staff or for the channel that opened the case; nobody else.</summary>
public static class GetEvidenceFile
{
    public sealed record Query(Guid CaseId, Guid EvidenceId, Caller Caller) : IQuery<Result>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.CaseId).NotEmpty();
            RuleFor(q => q.EvidenceId).NotEmpty();
            RuleFor(q => q.Caller).NotNull();
        }
    }

    /// <param name="FileName">For display (e.g. Content-Disposition) only: sanitised when stored, never a path.</param>
    public sealed record Result(Guid EvidenceId, string Type, string FileName, string MediaType, string Sha256, byte[] Content);

    public sealed class Handler(CaseStore store, CaseSession session, EvidenceFiles files) : IRequestHandler<Query, Result>
    {
        public async Task<Result> Handle(Query request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (!request.Caller.IsStaff && request.Caller.Actor != Actor.Customer)
                throw new ForbiddenException("Evidence files are shown only to agents, supervisors and the channel that opened the case.");
            var record = await store.LoadVisibleAsync(request.CaseId, request.Caller, cancellationToken).ConfigureAwait(false);
            var item = await session.QuerySingleOrDefaultAsync<FileRow>("""
                SELECT id AS Id, type AS Type, file_name AS FileName, media_type AS MediaType, sha256 AS Sha256
                  FROM evidence_items WHERE id = @evidenceId AND case_id = @caseId
                """, new { evidenceId = request.EvidenceId, caseId = record.Id }, cancellationToken).ConfigureAwait(false)
                ?? throw new NotFoundException("Evidence", request.EvidenceId.ToString("D"));
            if (item.Sha256 is null || item.MediaType is null) throw new NotFoundException("Evidence file", request.EvidenceId.ToString("D"));

            var content = await files.ReadAsync(item.Sha256, cancellationToken).ConfigureAwait(false);
            return new Result(item.Id, item.Type, item.FileName ?? "evidence", item.MediaType, item.Sha256, content);
        }

        private sealed class FileRow
        {
            public Guid Id { get; set; }
            public string Type { get; set; } = "";
            public string? FileName { get; set; }
            public string? MediaType { get; set; }
            public string? Sha256 { get; set; }
        }
    }
}
