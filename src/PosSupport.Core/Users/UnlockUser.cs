using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Users;

/// <summary>Ends a lock-out (too many wrong passwords) before its time, and starts the count of failures again.</summary>
public static class UnlockUser
{
    public sealed record Command(Guid UserId, Caller Caller) : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.UserId).NotEmpty();
            RuleFor(c => c.Caller).NotNull();
        }
    }

    /// <param name="WasLocked">False when the user was not locked out: nothing changed.</param>
    public sealed record Result(Guid UserId, string Login, bool WasLocked);

    public sealed class Handler(CaseSession session, TimeProvider clock) : IRequestHandler<Command, Result>
    {
        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            Administration.Require(request.Caller);
            var user = await Administration.UserAsync(session, request.UserId, cancellationToken).ConfigureAwait(false);
            var unlocked = await session.ExecuteAsync("""
                UPDATE users SET locked_until = NULL, failed_sign_ins = 0 WHERE id = @id AND locked_until IS NOT NULL AND locked_until > @now
                """, new { id = user.Id, now = clock.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
            if (unlocked == 0)
                await session.ExecuteAsync("UPDATE users SET failed_sign_ins = 0 WHERE id = @id", new { id = user.Id }, cancellationToken).ConfigureAwait(false);
            return new Result(user.Id, user.Login, unlocked > 0);
        }
    }
}
