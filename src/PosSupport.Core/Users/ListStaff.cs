using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Users;

/// <summary>The agents and supervisors cases can be assigned to (not disabled ones), by name: the dashboard's assignee choices.</summary>
public static class ListStaff
{
    public sealed record Query(Caller Caller) : IQuery<IReadOnlyList<StaffMember>>;

    public sealed record StaffMember(Guid Id, string Login, string DisplayName, string Role, string? SkillGroup, bool Away);

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator() => RuleFor(q => q.Caller).NotNull();
    }

    public sealed class Handler(CaseSession session) : IRequestHandler<Query, IReadOnlyList<StaffMember>>
    {
        public async Task<IReadOnlyList<StaffMember>> Handle(Query request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (!request.Caller.IsStaff) throw new ForbiddenException("Only agents and supervisors see the staff list.");
            var rows = await session.QueryAsync<Row>("""
                SELECT id AS Id, login AS Login, display_name AS DisplayName, role AS Role, skill_group AS SkillGroup, away AS Away
                  FROM users WHERE role IN ('agent', 'supervisor') AND disabled_at IS NULL ORDER BY role, display_name, login
                """, null, cancellationToken).ConfigureAwait(false);
            return rows.Select(r => new StaffMember(r.Id, r.Login, r.DisplayName, r.Role, r.SkillGroup, r.Away)).ToList();
        }

        private sealed class Row
        {
            public Guid Id { get; set; }
            public string Login { get; set; } = "";
            public string DisplayName { get; set; } = "";
            public string Role { get; set; } = "";
            public string? SkillGroup { get; set; }
            public bool Away { get; set; }
        }
    }
}
