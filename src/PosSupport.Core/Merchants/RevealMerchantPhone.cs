using FluentValidation;
using MediatR;
using PosSupport.Core.Cases;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Merchants;

/// <summary>
/// Shows a case's merchant phone number in full to a supervisor who asks for it on purpose; everywhere else it is
/// masked. Each reveal is written on the case's timeline (internal: who, when, which number, never the number itself),
/// and like every request the number never reaches a log.
/// </summary>
public static class RevealMerchantPhone
{
    public sealed record Command(Guid CaseId, Caller Caller) : ICommand<Result>;

    public sealed record Result(Guid CaseId, string Phone, long Version);

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.CaseId).NotEmpty();
            RuleFor(c => c.Caller).NotNull();
        }
    }

    public sealed class Handler(CaseStore store) : IRequestHandler<Command, Result>
    {
        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (request.Caller.Actor != Actor.Supervisor) throw new ForbiddenException("Only a supervisor reveals a merchant's full phone number.");
            var record = await store.LoadAsync(request.CaseId, cancellationToken).ConfigureAwait(false);
            var phone = await store.Session.ExecuteScalarAsync<string>("SELECT phone FROM merchants WHERE id = @MerchantId", record, cancellationToken)
                .ConfigureAwait(false) ?? throw new NotFoundException("Merchant", record.MerchantId.ToString("D"));
            // The bump orders this event after any other write of the case (the timeline's sequence is per case).
            await store.BumpAsync(record, null, cancellationToken).ConfigureAwait(false);
            await store.AppendEventAsync(record.Id, "sensitive-revealed", request.Caller, merchantVisible: false,
                new { field = "merchant-phone", title = new LocalizedText("Merchant's phone number revealed", "已查看商户完整手机号") }, cancellationToken)
                .ConfigureAwait(false);
            store.Session.PublishAfterCommit(CaseChanged.Of(record));
            return new Result(record.Id, phone, record.Version);
        }
    }
}
