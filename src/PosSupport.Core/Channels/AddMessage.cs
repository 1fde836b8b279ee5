using FluentValidation;
using MediatR;
using PosSupport.Core.Cases;
using PosSupport.Core.Data;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Channels;

/// <summary>
/// A message on the case's conversation. From a chat channel it is the merchant writing (inbound), stored once per
/// provider message id: a redelivery, even one racing the original, answers with the original message and changes
/// nothing. From an agent or supervisor it is a reply to the merchant (outbound), queued in the outbox for delivery.
/// A merchant's message on a case resolved less than <see cref="PosSupportOptions.ReopenWindowDays"/> ago reopens it (as the
/// merchant's <c>reopen</c>, where the workflow lets the merchant reopen); on a closed case, or later than that, it is refused
/// with <see cref="CaseClosedException"/>: the channel opens a new case on the conversation instead.
/// </summary>
public static class AddMessage
{
    public sealed record Command(Guid CaseId, string Text, Caller Caller, string? ProviderMessageId = null, long? ExpectedVersion = null) : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.CaseId).NotEmpty();
            RuleFor(c => c.Text).NotEmpty().MaximumLength(4000);
            RuleFor(c => c.Caller).NotNull();
            RuleFor(c => c.ProviderMessageId).MaximumLength(200);
            RuleFor(c => c.ProviderMessageId).NotEmpty().When(c => c.Caller?.Actor == Actor.Customer)
                .WithText(new("A channel must give the provider's message id, so that a redelivered message is stored once.",
                    "渠道须提供消息平台的消息 ID，以免重复投递的消息被重复保存。"));
            RuleFor(c => c.ProviderMessageId).Empty().When(c => c.Caller is { IsStaff: true })
                .WithText(new("Only messages from a channel carry a provider message id.", "只有来自渠道的消息才带消息平台的消息 ID。"));
            RuleFor(c => c.ExpectedVersion).GreaterThan(0).When(c => c.ExpectedVersion is not null);
        }
    }

    /// <param name="Duplicate">True when this inbound message was stored before: the ids and instant are the original's and nothing changed.</param>
    /// <param name="Reopened">True when the message reopened a resolved case.</param>
    public sealed record Result(Guid MessageId, Guid CaseId, string Direction, DateTimeOffset At, long Version, bool Duplicate, bool Reopened = false);

    public sealed class Handler(CaseStore store, CaseSession session, CaseWorkflow workflow, WorkflowEngine engine, PosSupportOptions options, TimeProvider clock)
        : IRequestHandler<Command, Result>
    {
        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            var inbound = request.Caller.Actor == Actor.Customer;
            if (!inbound && !request.Caller.IsStaff) throw new ForbiddenException("Messages come from the merchant's channel or from agents and supervisors.");
            var record = await store.LoadVisibleAsync(request.CaseId, request.Caller, cancellationToken).ConfigureAwait(false);
            var now = clock.GetUtcNow();
            var message = new MessageRow
            {
                Id = Guid.CreateVersion7(now), CaseId = record.Id, Direction = inbound ? "inbound" : "outbound", Text = request.Text,
                ChannelClientId = inbound ? request.Caller.ChannelClientId : record.ChannelClientId,
                ProviderMessageId = inbound ? request.ProviderMessageId : null, AuthorId = request.Caller.Id, At = now,
            };

            if (inbound)
            {
                // The message row first: a twin request waits on the unique index, then finds the original below.
                var stored = await session.ExecuteScalarAsync<Guid?>(InsertInbound, message, cancellationToken).ConfigureAwait(false);
                if (stored is null) return await OriginalAsync(record, request, cancellationToken).ConfigureAwait(false);
                if (record.StateKind == "final" || (record.StateKind == "resolved" && record.ResolvedAt < now.AddDays(-options.ReopenWindowDays)))
                    throw new CaseClosedException(record.Id, record.Number);
                await store.BumpAsync(record, request.ExpectedVersion, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await store.BumpAsync(record, request.ExpectedVersion, cancellationToken).ConfigureAwait(false);
                await session.ExecuteAsync(InsertMessage, message, cancellationToken).ConfigureAwait(false);
                var language = await session.ExecuteScalarAsync<string>("SELECT preferred_language FROM merchants WHERE id = @id", new { id = record.MerchantId },
                    cancellationToken).ConfigureAwait(false) ?? "zh-CN";
                await session.ExecuteAsync(QueueForMerchant, new { id = Guid.CreateVersion7(now), caseId = record.Id, language, body = request.Text, now },
                    cancellationToken).ConfigureAwait(false);
            }
            await store.AppendEventAsync(record.Id, "message", request.Caller, merchantVisible: true,
                new { message = message.Id, direction = message.Direction, text = message.Text }, cancellationToken).ConfigureAwait(false);
            var reopened = inbound && record.StateKind == "resolved" && await ReopenAsync(record, request, cancellationToken).ConfigureAwait(false);
            session.PublishAfterCommit(CaseChanged.Of(record));
            return new Result(message.Id, record.Id, message.Direction, now, record.Version, Duplicate: false, reopened);
        }

        private async Task<bool> ReopenAsync(CaseRecord record, Command request, CancellationToken cancellationToken)
        {
            var snapshot = await store.SnapshotAsync(record, options.AgentOfferAuthorityFen, cancellationToken).ConfigureAwait(false);
            if (!engine.AllowedActions(snapshot, request.Caller.Actor).Any(a => a is { Trigger: Reopen, Allowed: true })) return false;
            await workflow.FireAsync(record, request.Caller, Reopen, new Dictionary<string, string>(StringComparer.Ordinal) { ["reason"] = request.Text },
                null, cancellationToken).ConfigureAwait(false);
            return true;
        }

        private const string Reopen = "reopen";

        private async Task<Result> OriginalAsync(CaseRecord record, Command request, CancellationToken cancellationToken)
        {
            var original = await session.QuerySingleOrDefaultAsync<MessageRow>(FindOriginal,
                new { channelClientId = request.Caller.ChannelClientId, providerMessageId = request.ProviderMessageId }, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("A message was refused as a duplicate, yet no original was found.");
            if (original.CaseId != record.Id)
                throw new ConflictException("This provider message id was already used for a message on another case.");
            var version = await session.ExecuteScalarAsync<long>("SELECT version FROM cases WHERE id = @id", new { id = record.Id }, cancellationToken)
                .ConfigureAwait(false);
            return new Result(original.Id, original.CaseId, original.Direction, original.At, version, Duplicate: true);
        }

        private const string InsertMessage = """
            INSERT INTO case_messages (id, case_id, direction, text, channel_client_id, provider_message_id, author_id, at)
            VALUES (@Id, @CaseId, @Direction, @Text, @ChannelClientId, @ProviderMessageId, @AuthorId, @At)
            """;

        // ON CONFLICT DO NOTHING rather than catching the unique violation: on PostgreSQL a caught error would abort the transaction.
        private const string InsertInbound = InsertMessage + """

            ON CONFLICT (channel_client_id, provider_message_id) DO NOTHING
            RETURNING id
            """;

        private const string FindOriginal = """
            SELECT id AS Id, case_id AS CaseId, direction AS Direction, text AS Text, at AS At
              FROM case_messages WHERE channel_client_id = @channelClientId AND provider_message_id = @providerMessageId
            """;

        private const string QueueForMerchant = """
            INSERT INTO outbox_messages (id, case_id, recipient, template, language, body, status, created_at)
            VALUES (@id, @caseId, 'merchant', 'agent-message', @language, @body, 'pending', @now)
            """;
    }

    private sealed class MessageRow
    {
        public Guid Id { get; set; }
        public Guid CaseId { get; set; }
        public string Direction { get; set; } = "";
        public string Text { get; set; } = "";
        public Guid? ChannelClientId { get; set; }
        public string? ProviderMessageId { get; set; }
        public string? AuthorId { get; set; }
        public DateTimeOffset At { get; set; }
    }
}
