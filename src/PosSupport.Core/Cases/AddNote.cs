using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Cases;

/// <summary>An internal note on the case's timeline, by an agent or supervisor; the merchant never sees it.</summary>
public static class AddNote
{
    public sealed record Command(Guid CaseId, string Text, Caller Caller, long? ExpectedVersion = null) : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.CaseId).NotEmpty();
            RuleFor(c => c.Text).NotEmpty().MaximumLength(4000);
            RuleFor(c => c.Caller).NotNull();
            RuleFor(c => c.ExpectedVersion).GreaterThan(0).When(c => c.ExpectedVersion is not null);
        }
    }

    public sealed record Result(Guid CaseId, long Version);

    public sealed class Handler(CaseStore store) : IRequestHandler<Command, Result>
    {
        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (!request.Caller.IsStaff) throw new ForbiddenException("Only agents and supervisors write internal notes.");
            var record = await store.LoadAsync(request.CaseId, cancellationToken).ConfigureAwait(false);
            await store.BumpAsync(record, request.ExpectedVersion, cancellationToken).ConfigureAwait(false);
            await store.AppendEventAsync(record.Id, "note", request.Caller, merchantVisible: false, new { text = request.Text }, cancellationToken)
                .ConfigureAwait(false);
            store.Session.PublishAfterCommit(CaseChanged.Of(record));
            return new Result(record.Id, record.Version);
        }
    }
}
