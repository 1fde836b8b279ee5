using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Users;

/// <summary>
/// Checks a login and password for the dashboard. After <see cref="MaxFailures"/> wrong passwords in a row the account is
/// locked for <see cref="LockOut"/>, and while locked even the right password is refused. A success clears the count.
/// Unknown logins, users without a password, disabled users and wrong passwords answer alike, so the answer tells nobody which
/// logins exist.
/// </summary>
public static class SignIn
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan LockOut = TimeSpan.FromMinutes(15);

    public sealed record Command(string Login, string Password) : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Login).NotEmpty().MaximumLength(100);
            RuleFor(c => c.Password).NotEmpty().MaximumLength(Passwords.MaximumLength);
        }
    }

    public enum Outcome { SignedIn, Failed, LockedOut }

    /// <param name="User">Set when <see cref="Outcome.SignedIn"/>.</param>
    /// <param name="LockedUntil">Set when <see cref="Outcome.LockedOut"/>.</param>
    public sealed record Result(Outcome Outcome, SignedInUser? User = null, DateTimeOffset? LockedUntil = null);

    public sealed record SignedInUser(Guid Id, string Login, string DisplayName, string Role);

    public sealed class Handler(CaseSession session, TimeProvider clock) : IRequestHandler<Command, Result>
    {
        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            var now = clock.GetUtcNow();
            var user = await session.QuerySingleOrDefaultAsync<Row>("""
                SELECT id AS Id, login AS Login, display_name AS DisplayName, role AS Role, password_hash AS PasswordHash,
                       failed_sign_ins AS FailedSignIns, locked_until AS LockedUntil, disabled_at AS DisabledAt
                  FROM users WHERE login = @Login
                """, request, cancellationToken).ConfigureAwait(false);
            if (user?.PasswordHash is null || user.DisabledAt is not null) return new Result(Outcome.Failed);
            if (user.LockedUntil is { } until && until > now) return new Result(Outcome.LockedOut, LockedUntil: until);

            if (!Passwords.Verify(user.Login, user.PasswordHash, request.Password, out var rehash))
            {
                // A lock-out resets the count, so counting starts again once it has run out.
                var failures = user.FailedSignIns + 1;
                DateTimeOffset? locked = failures >= MaxFailures ? now + LockOut : null;
                await session.ExecuteAsync("UPDATE users SET failed_sign_ins = @failures, locked_until = @locked WHERE id = @Id",
                    new { failures = locked is null ? failures : 0, locked, user.Id }, cancellationToken).ConfigureAwait(false);
                return locked is { } lockedUntil ? new Result(Outcome.LockedOut, LockedUntil: lockedUntil) : new Result(Outcome.Failed);
            }

            await session.ExecuteAsync("UPDATE users SET failed_sign_ins = 0, locked_until = NULL, password_hash = @hash, last_sign_in_at = @now WHERE id = @Id",
                new { hash = rehash ?? user.PasswordHash, now, user.Id }, cancellationToken).ConfigureAwait(false);
            return new Result(Outcome.SignedIn, new SignedInUser(user.Id, user.Login, user.DisplayName, user.Role));
        }

        private sealed class Row
        {
            public Guid Id { get; set; }
            public string Login { get; set; } = "";
            public string DisplayName { get; set; } = "";
            public string Role { get; set; } = "";
            public string? PasswordHash { get; set; }
            public int FailedSignIns { get; set; }
            public DateTimeOffset? LockedUntil { get; set; }
            public DateTimeOffset? DisabledAt { get; set; }
        }
    }
}
