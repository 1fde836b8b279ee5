using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Users;

/// <summary>
/// Gives a user another role (agent, supervisor, admin). An admin cannot take the admin role from themselves, so there is
/// always someone left who can manage users. The user's open sign-in keeps its old role until they sign in again.
/// </summary>
public static class ChangeUserRole
{
    /// <param name="SkillGroup">For agents: <c>device</c> or <c>billing</c>; other roles have none.</param>
    public sealed record Command(Guid UserId, string Role, Caller Caller, string? SkillGroup = null) : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.UserId).NotEmpty();
            RuleFor(c => c.Role).Must(r => CreateUser.Roles.Contains(r)).WithText(CreateUser.RoleRule);
            RuleFor(c => c.SkillGroup).Must(g => g is null or "device" or "billing").WithText(CreateUser.SkillGroupRule);
            RuleFor(c => c.Caller).NotNull();
        }
    }

    public sealed record Result(Guid UserId, string Login, string Role);

    public sealed class Handler(CaseSession session) : IRequestHandler<Command, Result>
    {
        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            Administration.Require(request.Caller);
            var user = await Administration.UserAsync(session, request.UserId, cancellationToken).ConfigureAwait(false);
            if (Administration.IsSelf(request.Caller, user.Id) && request.Role != "admin")
                throw new ForbiddenException(Administration.Say("You cannot take the admin role from yourself: ask another administrator.",
                    "不能取消自己的管理员角色，请联系其他管理员。"));
            await session.ExecuteAsync("UPDATE users SET role = @Role, skill_group = @group WHERE id = @id",
                new { request.Role, group = request.Role == "agent" ? request.SkillGroup : null, id = user.Id }, cancellationToken).ConfigureAwait(false);
            return new Result(user.Id, user.Login, request.Role);
        }
    }
}
