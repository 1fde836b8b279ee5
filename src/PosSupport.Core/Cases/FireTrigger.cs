using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Cases;

/// <summary>The generic workflow step: fire a trigger of the case's workflow, as the caller, with its inputs.</summary>
public static class FireTrigger
{
    public sealed record Command(Guid CaseId, string Trigger, IReadOnlyDictionary<string, string> Inputs, Caller Caller, long? ExpectedVersion = null)
        : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.CaseId).NotEmpty();
            RuleFor(c => c.Trigger).NotEmpty().MaximumLength(100);
            RuleFor(c => c.Inputs).NotNull().Must(i => i.Count <= 50).WithMessage("At most 50 inputs.");
            RuleForEach(c => c.Inputs).Must(i => i.Key.Length <= 100 && i.Value.Length <= 4000)
                .WithMessage("Input names are at most 100 characters and values at most 4000.");
            RuleFor(c => c.Caller).NotNull();
            RuleFor(c => c.ExpectedVersion).GreaterThan(0).When(c => c.ExpectedVersion is not null);
        }
    }

    public sealed record Result(Guid CaseId, string State, long Version, string? Outcome);

    public sealed class Handler(CaseStore store, CaseWorkflow workflow) : IRequestHandler<Command, Result>
    {
        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            var record = await store.LoadForChangeAsync(request.CaseId, request.Caller, request.ExpectedVersion, cancellationToken).ConfigureAwait(false);
            await workflow.FireAsync(record, request.Caller, request.Trigger, request.Inputs, request.ExpectedVersion, cancellationToken).ConfigureAwait(false);
            return new Result(record.Id, record.State, record.Version, record.Outcome);
        }
    }
}
