using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Users;

/// <summary>
/// Whether a dashboard session signed in as <see cref="Query.UserId"/> with <see cref="Query.Role"/> may go on: the user must
/// still exist, not be disabled or locked out, and still have that role (a new role takes a new sign-in, so the session's
/// claims never say more than the user may do now). The dashboard asks this of its cookies and open circuits once a minute.
/// </summary>
public static class CheckStaffSession
{
    public sealed record Query(Guid UserId, string Role) : IQuery<Result>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.UserId).NotEmpty();
            RuleFor(q => q.Role).NotEmpty().MaximumLength(50);
        }
    }

    public enum Verdict { Valid, UnknownUser, Disabled, LockedOut, RoleChanged }

    public sealed record Result(Verdict Verdict)
    {
        public bool IsValid => Verdict == Verdict.Valid;
    }

    public sealed class Handler(CaseSession session, TimeProvider clock) : IRequestHandler<Query, Result>
    {
        public async Task<Result> Handle(Query request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            var user = await session.QuerySingleOrDefaultAsync<Row>(
                "SELECT role AS Role, disabled_at AS DisabledAt, locked_until AS LockedUntil FROM users WHERE id = @UserId",
                request, cancellationToken).ConfigureAwait(false);
            return new Result(user switch
            {
                null => Verdict.UnknownUser,
                { DisabledAt: not null } => Verdict.Disabled,
                { LockedUntil: { } until } when until > clock.GetUtcNow() => Verdict.LockedOut,
                _ when !string.Equals(user.Role, request.Role, StringComparison.Ordinal) => Verdict.RoleChanged,
                _ => Verdict.Valid,
            });
        }

        private sealed class Row
        {
            public string Role { get; set; } = "";
            public DateTimeOffset? DisabledAt { get; set; }
            public DateTimeOffset? LockedUntil { get; set; }
        }
    }
}
