using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Cases;

/// <summary>
/// Gives a case to an agent or supervisor, or takes it back to the unassigned queue. New cases are assigned
/// automatically on open (<see cref="Assignment"/>); this is the manual door.
/// </summary>
public static class Assign
{
    /// <param name="AssigneeId">The user to give the case to; null leaves it unassigned.</param>
    public sealed record Command(Guid CaseId, Guid? AssigneeId, Caller Caller, long? ExpectedVersion = null) : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.CaseId).NotEmpty();
            RuleFor(c => c.AssigneeId).NotEqual(Guid.Empty);
            RuleFor(c => c.Caller).NotNull();
            RuleFor(c => c.ExpectedVersion).GreaterThan(0).When(c => c.ExpectedVersion is not null);
        }
    }

    public sealed record Result(Guid CaseId, Guid? AssigneeId, long Version);

    public sealed class Handler(CaseStore store) : IRequestHandler<Command, Result>
    {
        private const string SetAssignee = "UPDATE cases SET assignee_id = @assignee WHERE id = @id AND version = @version";

        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (!request.Caller.IsStaff) throw new ForbiddenException("Only agents and supervisors assign cases.");
            var record = await store.LoadAsync(request.CaseId, cancellationToken).ConfigureAwait(false);
            if (record.StateKind == WorkflowSpelling.Of(StateKind.Final)) throw new ConflictException("A closed case is not assigned to anyone any more.");

            if (request.AssigneeId is { } assignee)
            {
                var role = await store.Session.ExecuteScalarAsync<string>("SELECT role FROM users WHERE id = @assignee", new { assignee }, cancellationToken)
                    .ConfigureAwait(false) ?? throw new NotFoundException("User", assignee.ToString("D"));
                if (role is not ("agent" or "supervisor"))
                    throw ValidationFailedException.For(nameof(Command.AssigneeId), "Cases are assigned to agents or supervisors.");
            }
            if (request.ExpectedVersion is { } expected && expected != record.Version)
                throw new ConcurrencyConflictException(record.Id, expected, record.Version);
            if (record.AssigneeId == request.AssigneeId) return new Result(record.Id, record.AssigneeId, record.Version);

            var previous = record.AssigneeId;
            await store.BumpAsync(record, request.ExpectedVersion, cancellationToken).ConfigureAwait(false);
            // The bump above wrote this version in this transaction, so the version check cannot miss.
            if (await store.Session.ExecuteAsync(SetAssignee, new { assignee = request.AssigneeId, id = record.Id, version = record.Version }, cancellationToken)
                    .ConfigureAwait(false) != 1)
                throw new InvalidOperationException($"Case {record.Id} moved away from version {record.Version} inside its own transaction.");
            record.AssigneeId = request.AssigneeId;
            store.Session.PublishAfterCommit(CaseChanged.Of(record));
            await store.AppendEventAsync(record.Id, request.AssigneeId is null ? "unassigned" : "assigned", request.Caller, merchantVisible: false, new
            {
                from = previous, to = request.AssigneeId,
                title = request.AssigneeId is null ? new LocalizedText("Returned to the unassigned queue", "已退回待分配队列") : new LocalizedText("Assigned", "已分配"),
            }, cancellationToken).ConfigureAwait(false);
            return new Result(record.Id, record.AssigneeId, record.Version);
        }
    }
}
