using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Users;

/// <summary>Every dashboard user, for the admin page: role, whether locked out or disabled, and when they last signed in.</summary>
public static class ListUsers
{
    public sealed record Query(Caller Caller) : IQuery<IReadOnlyList<User>>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator() => RuleFor(q => q.Caller).NotNull();
    }

    public sealed class User
    {
        public Guid Id { get; set; }
        public string Login { get; set; } = "";
        public string DisplayName { get; set; } = "";
        public string Role { get; set; } = "";
        public string? SkillGroup { get; set; }
        public bool Away { get; set; }
        public DateTimeOffset? LockedUntil { get; set; }
        public DateTimeOffset? DisabledAt { get; set; }
        public DateTimeOffset? LastSignInAt { get; set; }
        public DateTimeOffset CreatedAt { get; set; }

        public bool IsLockedAt(DateTimeOffset now) => LockedUntil is { } until && until > now;
    }

    public sealed class Handler(CaseSession session) : IRequestHandler<Query, IReadOnlyList<User>>
    {
        private const string Sql = """
            SELECT id AS Id, login AS Login, display_name AS DisplayName, role AS Role, skill_group AS SkillGroup, away AS Away,
                   locked_until AS LockedUntil, disabled_at AS DisabledAt, last_sign_in_at AS LastSignInAt, created_at AS CreatedAt
              FROM users ORDER BY login
            """;

        public async Task<IReadOnlyList<User>> Handle(Query request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            Administration.Require(request.Caller);
            return (await session.QueryAsync<User>(Sql, null, cancellationToken).ConfigureAwait(false)).ToList();
        }
    }
}
