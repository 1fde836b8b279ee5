using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Cases;

/// <summary>
/// From a data-fee case, opens a device-replacement case for the same merchant and device, linked both ways, while
/// the data-fee case carries on. (A merchant who gives up the dispute takes <c>switch-pos</c> instead, which closes the
/// data-fee case and opens the device case the same way.)
/// </summary>
public static class OpenLinkedCase
{
    /// <param name="DeviceSerial">The device to replace; by default the data-fee case's device, or the merchant's only active one.</param>
    public sealed record Command(Guid CaseId, string Description, Caller Caller, string? DeviceSerial = null, string Priority = "normal",
        long? ExpectedVersion = null) : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.CaseId).NotEmpty();
            RuleFor(c => c.Description).NotEmpty().MaximumLength(4000);
            RuleFor(c => c.Caller).NotNull();
            RuleFor(c => c.DeviceSerial).MaximumLength(100);
            RuleFor(c => c.Priority).Must(p => p is "low" or "normal" or "high" or "urgent").WithMessage("Priority must be low, normal, high or urgent.");
            RuleFor(c => c.ExpectedVersion).GreaterThan(0).When(c => c.ExpectedVersion is not null);
        }
    }

    public sealed record Result(Guid CaseId, long Version, Guid LinkedCaseId, string LinkedNumber, string LinkedState);

    public sealed class Handler(CaseStore store, CaseWorkflow workflow) : IRequestHandler<Command, Result>
    {
        private const string DeviceBySerial = "SELECT id AS Id, merchant_id AS MerchantId FROM devices WHERE serial_number = @serial";

        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (!request.Caller.IsStaff) throw new ForbiddenException("Only agents and supervisors open linked cases.");
            var source = await store.LoadAsync(request.CaseId, cancellationToken).ConfigureAwait(false);
            if (source.WorkflowId != "data-fee-cancellation") throw new ConflictException("Only a data-fee case opens a linked device-replacement case.");
            if (source.StateKind == WorkflowSpelling.Of(StateKind.Final)) throw new ConflictException("The case is closed.");
            if (source.LinkedCaseId is { } linked)
            {
                var number = await store.Session.ExecuteScalarAsync<string>("SELECT number FROM cases WHERE id = @linked", new { linked }, cancellationToken)
                    .ConfigureAwait(false);
                throw new ConflictException($"The case is already linked to case {number}.");
            }

            var deviceId = await DeviceAsync(source, request.DeviceSerial, cancellationToken).ConfigureAwait(false);
            await store.BumpAsync(source, request.ExpectedVersion, cancellationToken).ConfigureAwait(false);
            var opened = await workflow.OpenLinkedDeviceCaseAsync(source, request.Caller, deviceId, WorkflowSpelling.ParsePriority(request.Priority),
                request.Description, cancellationToken).ConfigureAwait(false);
            store.Session.PublishAfterCommit(CaseChanged.Of(source));
            return new Result(source.Id, source.Version, opened.Id, opened.Number, opened.State);
        }

        private async Task<Guid> DeviceAsync(CaseRecord source, string? serial, CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(serial))
                return await workflow.DeviceToReplaceAsync(source, cancellationToken).ConfigureAwait(false)
                       ?? throw ValidationFailedException.For(nameof(Command.DeviceSerial), "Name the device to replace: the merchant has no single active device.");
            var device = await store.Session.QuerySingleOrDefaultAsync<DeviceRow>(DeviceBySerial, new { serial }, cancellationToken).ConfigureAwait(false)
                         ?? throw ValidationFailedException.For(nameof(Command.DeviceSerial), "No device has this serial number.");
            if (device.MerchantId != source.MerchantId)
                throw ValidationFailedException.For(nameof(Command.DeviceSerial), "This device is not bound to the merchant.");
            return device.Id;
        }

        private sealed class DeviceRow
        {
            public Guid Id { get; set; }
            public Guid? MerchantId { get; set; }
        }
    }
}
