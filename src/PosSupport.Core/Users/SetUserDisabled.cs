using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Users;

/// <summary>
/// Disables a user (they can no longer sign in and get no new cases) or enables them again. Users are never deleted:
/// cases and their timelines point at them. An admin cannot disable themselves.
/// </summary>
public static class SetUserDisabled
{
    public sealed record Command(Guid UserId, bool Disabled, Caller Caller) : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.UserId).NotEmpty();
            RuleFor(c => c.Caller).NotNull();
        }
    }

    /// <param name="DisabledAt">When the user was disabled; null when enabled.</param>
    public sealed record Result(Guid UserId, string Login, DateTimeOffset? DisabledAt);

    public sealed class Handler(CaseSession session, TimeProvider clock) : IRequestHandler<Command, Result>
    {
        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            Administration.Require(request.Caller);
            var user = await Administration.UserAsync(session, request.UserId, cancellationToken).ConfigureAwait(false);
            if (request.Disabled && Administration.IsSelf(request.Caller, user.Id))
                throw new ForbiddenException(Administration.Say("You cannot disable yourself: ask another administrator.", "不能停用自己的账号，请联系其他管理员。"));
            if (!request.Disabled)
            {
                await session.ExecuteAsync("UPDATE users SET disabled_at = NULL WHERE id = @id", new { id = user.Id }, cancellationToken).ConfigureAwait(false);
                return new Result(user.Id, user.Login, null);
            }
            // Disabling twice keeps the first time.
            await session.ExecuteAsync("UPDATE users SET disabled_at = @now WHERE id = @id AND disabled_at IS NULL",
                new { now = clock.GetUtcNow(), id = user.Id }, cancellationToken).ConfigureAwait(false);
            var at = await session.ExecuteScalarAsync<DateTimeOffset>("SELECT disabled_at FROM users WHERE id = @id", new { id = user.Id }, cancellationToken)
                .ConfigureAwait(false);
            return new Result(user.Id, user.Login, at);
        }
    }
}
