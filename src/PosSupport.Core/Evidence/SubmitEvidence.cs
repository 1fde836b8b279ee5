using FluentValidation;
using MediatR;
using PosSupport.Core.Cases;
using PosSupport.Core.Data;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Evidence;

/// <summary>
/// A file of evidence for a case, from the merchant's channel or from staff: stored once by its sha256, then filed
/// against the case's open request for that type (or as an extra item). The same bytes sent again answer with the
/// item already stored, without writing anything.
/// </summary>
public static class SubmitEvidence
{
    public sealed record Command(Guid CaseId, string Type, string FileName, byte[] Content, Caller Caller, long? ExpectedVersion = null) : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(PosSupportOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            var limit = options.Evidence.MaxBytes;
            RuleFor(c => c.CaseId).NotEmpty();
            RuleFor(c => c.Type).NotEmpty().Must(EvidenceCatalog.All.ContainsKey).WithText(new("'{PropertyValue}' is not an evidence type.", "“{PropertyValue}”不是证据材料类型。"));
            RuleFor(c => c.FileName).MaximumLength(1000);
            RuleFor(c => c.Content).Cascade(CascadeMode.Stop)
                .NotNull().WithText(new("The file is missing.", "缺少文件。"))
                .Must(c => c.Length > 0).WithText(new("The file is empty.", "文件为空。"))
                .Must(c => c.LongLength <= limit).WithText(new($"The file is larger than the limit of {EvidenceFiles.Size(limit)}.", $"文件超过 {EvidenceFiles.Size(limit)} 的上限。"))
                .Must(c => EvidenceFiles.DetectMediaType(c) is not null).WithText(new("The file is not a JPEG, PNG or PDF file (judged by its content, not its name).",
                    "文件不是 JPEG、PNG 或 PDF（按文件内容判断，而非文件名）。"))
                .Must((command, content) => !EvidenceCatalog.All.TryGetValue(command.Type ?? "", out var type)
                                            || type.MediaTypes.Contains(EvidenceFiles.DetectMediaType(content)!, StringComparer.Ordinal))
                .WithMessage(c => $"A {EvidenceCatalog.All[c.Type].Title.En.ToLowerInvariant()} must be a {EvidenceFiles.Describe(EvidenceCatalog.All[c.Type].MediaTypes)} file; " +
                                  $"this one is {EvidenceFiles.Describe([EvidenceFiles.DetectMediaType(c.Content)!])}.");
            RuleFor(c => c.Caller).NotNull();
            RuleFor(c => c.ExpectedVersion).GreaterThan(0).When(c => c.ExpectedVersion is not null);
        }
    }

    /// <summary>
    /// Stores the upload's file (written and flushed to disk) ahead of the <see cref="Command"/>, which then finds its bytes
    /// already stored: sent before the command's transaction, the flush does not hold SQLite's single writer. Only an upload
    /// the command would take right now is stored (valid, to a case the caller sees and that is not closed); the answer
    /// says whether it was. The command checks everything again under the case's lock, and answers for what it refuses.
    /// </summary>
    public sealed record StoreFileFirst(Command Upload) : IQuery<bool>;

    public sealed class StoreFileFirstValidator : AbstractValidator<StoreFileFirst>
    {
        public StoreFileFirstValidator() => RuleFor(q => q.Upload).NotNull();
    }

    public sealed class StoreFileFirstHandler(CaseStore store, EvidenceFiles files, IValidator<Command> validator) : IRequestHandler<StoreFileFirst, bool>
    {
        public async Task<bool> Handle(StoreFileFirst request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            var upload = request.Upload;
            if (!(await validator.ValidateAsync(upload, cancellationToken).ConfigureAwait(false)).IsValid) return false;
            if (await store.FindAsync(upload.CaseId, cancellationToken).ConfigureAwait(false) is not { } record
                || record.StateKind == "final" || !CaseStore.Sees(upload.Caller, record)) return false;
            await files.SaveAsync(upload.Content, cancellationToken).ConfigureAwait(false);
            return true;
        }
    }

    /// <param name="AlreadyStored">True when these bytes were already on the case: the item is the one stored before and nothing changed.</param>
    public sealed record Result(Guid EvidenceId, Guid CaseId, string Type, string Status, string FileName, string MediaType, long SizeBytes, string Sha256,
        long Version, bool AlreadyStored);

    public sealed class Handler(CaseStore store, CaseSession session, EvidenceFiles files, TimeProvider clock) : IRequestHandler<Command, Result>
    {
        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            var sha256 = EvidenceFiles.Sha256(request.Content);
            // Under the case's lock, so an identical upload racing this one finds this one's item instead of a second row.
            var record = await store.LoadLockedVisibleAsync(request.CaseId, request.Caller, cancellationToken).ConfigureAwait(false);
            if (record.StateKind == "final") throw new ConflictException($"Case {record.Number} is closed and takes no more evidence.");
            if (await FindAsync(record.Id, sha256, cancellationToken).ConfigureAwait(false) is { } stored) return Stored(stored, record.Version);

            var mediaType = EvidenceFiles.DetectMediaType(request.Content)!;
            var fileName = EvidenceFiles.DisplayName(request.FileName, mediaType);
            // The file first: a committed row always has its bytes; a rolled-back request leaves at most an unreferenced file.
            await files.SaveAsync(request.Content, cancellationToken).ConfigureAwait(false);
            await store.BumpAsync(record, request.ExpectedVersion, cancellationToken).ConfigureAwait(false);

            var now = clock.GetUtcNow();
            var item = new EvidenceRow
            {
                CaseId = record.Id, Type = request.Type, Status = "received", FileName = fileName, MediaType = mediaType,
                SizeBytes = request.Content.LongLength, Sha256 = sha256, At = now, SubmittedBy = request.Caller.Id,
            };
            // The oldest open request of this type takes the file; without one, the file is an item of its own.
            if (await session.ExecuteScalarAsync<Guid?>(FillOpenRequest, item, cancellationToken).ConfigureAwait(false) is { } filled) item.Id = filled;
            else
            {
                item.Id = Guid.CreateVersion7(now);
                await session.ExecuteAsync(InsertReceived, item, cancellationToken).ConfigureAwait(false);
            }
            await store.AppendEventAsync(record.Id, "evidence-received", request.Caller, merchantVisible: true,
                new { evidence = item.Id, type = item.Type, fileName, mediaType, sizeBytes = item.SizeBytes, sha256 }, cancellationToken).ConfigureAwait(false);
            session.PublishAfterCommit(CaseChanged.Of(record));
            return new Result(item.Id, record.Id, item.Type, item.Status, fileName, mediaType, item.SizeBytes, sha256, record.Version, AlreadyStored: false);
        }

        private Task<EvidenceRow?> FindAsync(Guid caseId, string sha256, CancellationToken cancellationToken) =>
            session.QuerySingleOrDefaultAsync<EvidenceRow>(FindBySha, new { caseId, sha256 }, cancellationToken);

        private static Result Stored(EvidenceRow row, long version) =>
            new(row.Id, row.CaseId, row.Type, row.Status, row.FileName ?? "", row.MediaType ?? "", row.SizeBytes, row.Sha256, version, AlreadyStored: true);

        private const string FindBySha = """
            SELECT id AS Id, case_id AS CaseId, type AS Type, status AS Status, file_name AS FileName, media_type AS MediaType,
                   size_bytes AS SizeBytes, sha256 AS Sha256
              FROM evidence_items WHERE case_id = @caseId AND sha256 = @sha256
            """;

        // The oldest open request of the type, found and filled in one statement; the case's row lock (SQLite: the single writer)
        // keeps a racing upload of the same type from taking the same request.
        private const string FillOpenRequest = """
            UPDATE evidence_items
               SET status = @Status, file_name = @FileName, media_type = @MediaType, size_bytes = @SizeBytes, sha256 = @Sha256,
                   submitted_at = @At, submitted_by = @SubmittedBy
             WHERE id = (SELECT id FROM evidence_items WHERE case_id = @CaseId AND type = @Type AND status = 'requested' ORDER BY requested_at, id LIMIT 1)
            RETURNING id
            """;

        private const string InsertReceived = """
            INSERT INTO evidence_items (id, case_id, type, status, file_name, media_type, size_bytes, sha256, requested_at, submitted_at, submitted_by)
            VALUES (@Id, @CaseId, @Type, @Status, @FileName, @MediaType, @SizeBytes, @Sha256, @At, @At, @SubmittedBy)
            """;
    }

    private sealed class EvidenceRow
    {
        public Guid Id { get; set; }
        public Guid CaseId { get; set; }
        public string Type { get; set; } = "";
        public string Status { get; set; } = "";
        public string? FileName { get; set; }
        public string? MediaType { get; set; }
        public long SizeBytes { get; set; }
        public string Sha256 { get; set; } = "";
        public DateTimeOffset At { get; set; }
        public string SubmittedBy { get; set; } = "";
    }
}
