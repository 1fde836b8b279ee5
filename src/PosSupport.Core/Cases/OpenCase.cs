using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Cases;

/// <summary>Opens a case of a workflow for a merchant, from a chat channel or an agent.</summary>
public static class OpenCase
{
    public sealed record Command(
        string Type,
        Guid MerchantId,
        string Description,
        Caller Caller,
        string Priority = "normal",
        string? DeviceSerial = null,
        string? ConversationId = null,
        long? ClaimAmountFen = null,
        DateOnly? ClaimChargedOn = null,
        int? ClaimChargedRateBp = null) : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        private static readonly LocalizedText DataFeeAmount = new("A data-fee case needs the amount charged, in fen.", "流量费工单须填写扣费金额（单位：分）。");
        private static readonly LocalizedText DataFeeDate = new("A data-fee case needs the date the fee was charged.", "流量费工单须填写扣费日期。");
        private static readonly LocalizedText FeeRateAmount = new("A fee-rate case needs the amount the merchant says was overcharged, in fen.",
            "费率工单须填写商户所称多扣的金额（单位：分）。");
        private static readonly LocalizedText FeeRateRate = new("A fee-rate case needs the rate charged, in basis points (0.49% = 49).",
            "费率工单须填写实际扣费费率，以基点表示（0.49% 即 49）。");

        public Validator(WorkflowCatalog catalog)
        {
            RuleFor(c => c.Type).NotEmpty().Must(t => catalog.TryGetNewest(t, out _)).WithText(new("'{PropertyValue}' is not a case type.", "“{PropertyValue}”不是工单类型。"));
            RuleFor(c => c.MerchantId).NotEmpty();
            RuleFor(c => c.Description).NotEmpty().MaximumLength(4000);
            RuleFor(c => c.Caller).NotNull();
            RuleFor(c => c.Priority).Must(p => p is "low" or "normal" or "high" or "urgent").WithText(new("Priority must be low, normal, high or urgent.", "优先级须为 low、normal、high 或 urgent。"));
            RuleFor(c => c.ConversationId).MaximumLength(200);
            RuleFor(c => c.DeviceSerial).MaximumLength(100);
            RuleFor(c => c.DeviceSerial).NotEmpty().When(c => c.Type == "device-replacement").WithText(new("A device case needs the device's serial number.", "换机工单须填写机具序列号。"));
            // WithMessage names the rule just before it, so each rule of a chain gets its own.
            RuleFor(c => c.ClaimAmountFen).NotNull().WithText(DataFeeAmount).GreaterThan(0).WithText(DataFeeAmount)
                .When(c => c.Type == "data-fee-cancellation");
            // A supervisor's refund on a fee-rate case pays back this amount, so it must be known from the start.
            RuleFor(c => c.ClaimAmountFen).NotNull().WithText(FeeRateAmount).GreaterThan(0).WithText(FeeRateAmount)
                .When(c => c.Type == "fee-rate-dispute");
            RuleFor(c => c.ClaimChargedOn).NotNull().WithText(DataFeeDate).When(c => c.Type == "data-fee-cancellation");
            RuleFor(c => c.ClaimChargedRateBp).NotNull().WithText(FeeRateRate).InclusiveBetween(1, 10_000).WithText(FeeRateRate)
                .When(c => c.Type == "fee-rate-dispute");
        }
    }

    /// <param name="PreviousCaseId">The channel's earlier case on the same conversation, resolved or closed, that this case continues.</param>
    public sealed record Result(Guid Id, string Number, string State, long Version, Guid? AssigneeId, Guid? PreviousCaseId = null);

    public sealed class Handler(CaseSession session, CaseWorkflow workflow) : IRequestHandler<Command, Result>
    {
        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            var merchant = await session.ExecuteScalarAsync<Guid?>("SELECT id FROM merchants WHERE id = @MerchantId", request, cancellationToken)
                .ConfigureAwait(false);
            if (merchant is null) throw new NotFoundException("Merchant", request.MerchantId.ToString("D"));

            Guid? deviceId = null;
            if (!string.IsNullOrWhiteSpace(request.DeviceSerial))
            {
                var device = await session.QuerySingleOrDefaultAsync<(Guid Id, Guid? MerchantId)>(
                    "SELECT id, merchant_id FROM devices WHERE serial_number = @DeviceSerial", request, cancellationToken).ConfigureAwait(false);
                if (device.Id == Guid.Empty) throw ValidationFailedException.For(nameof(Command.DeviceSerial), new LocalizedText("No device has this serial number.", "没有该序列号的机具。"));
                if (device.MerchantId != request.MerchantId)
                    throw ValidationFailedException.For(nameof(Command.DeviceSerial), new LocalizedText("This device is not bound to the merchant.", "该机具未绑定到此商户。"));
                deviceId = device.Id;
            }

            var previous = await PreviousCaseAsync(request, cancellationToken).ConfigureAwait(false);
            var record = await workflow.OpenAsync(new NewCase(request.Type, request.MerchantId, deviceId, WorkflowSpelling.ParsePriority(request.Priority),
                request.Description, request.ConversationId, request.ClaimAmountFen, request.ClaimChargedOn, request.ClaimChargedRateBp)
                { PreviousCaseId = previous }, request.Caller, cancellationToken).ConfigureAwait(false);
            return new Result(record.Id, record.Number, record.State, record.Version, record.AssigneeId, record.PreviousCaseId);
        }

        // A merchant writing again on a conversation whose case is over (past its reopen window) starts a new case that continues it.
        private async Task<Guid?> PreviousCaseAsync(Command request, CancellationToken cancellationToken)
        {
            if (request.Caller.ChannelClientId is not { } channel || string.IsNullOrWhiteSpace(request.ConversationId)) return null;
            var latest = await session.QuerySingleOrDefaultAsync<(Guid Id, string StateKind)>(LatestOnConversation,
                new { channel, conversation = request.ConversationId }, cancellationToken).ConfigureAwait(false);
            return latest.StateKind is "resolved" or "final" ? latest.Id : null;
        }

        private const string LatestOnConversation = """
            SELECT id, state_kind FROM cases WHERE channel_client_id = @channel AND conversation_id = @conversation
             ORDER BY opened_at DESC, id DESC LIMIT 1
            """;
    }
}
