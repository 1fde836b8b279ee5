using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Users;

/// <summary>Creates a dashboard user (agent, supervisor or admin) with a password; only the password's hash is stored.</summary>
public static class CreateUser
{
    public static readonly IReadOnlyList<string> Roles = ["agent", "supervisor", "admin"];

    internal static readonly LocalizedText LoginRule = new("A login is lower-case letters, digits, '.', '_' or '-', starting with a letter or digit.",
        "账号由小写字母、数字、“.”、“_”或“-”组成，并以字母或数字开头。");
    internal static readonly LocalizedText NameRule = new("Enter the user's name.", "请输入用户姓名。");
    internal static readonly LocalizedText RoleRule = new("The role is agent, supervisor or admin.", "角色须为客服、主管或管理员。");
    internal static readonly LocalizedText PasswordRule = new($"The password must have at least {Passwords.MinimumLength} characters.",
        $"密码至少 {Passwords.MinimumLength} 个字符。");
    internal static readonly LocalizedText SkillGroupRule = new("The skill group is device or billing.", "技能组须为机具或计费。");

    /// <param name="SkillGroup">For agents: <c>device</c> or <c>billing</c> (which new cases they are given), or none.</param>
    public sealed record Command(string Login, string DisplayName, string Role, string Password, Caller Caller, string? SkillGroup = null)
        : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Login).NotEmpty().MaximumLength(100).Matches("^[a-z0-9][a-z0-9._-]*$").WithText(LoginRule);
            RuleFor(c => c.DisplayName).NotEmpty().WithText(NameRule).MaximumLength(100);
            RuleFor(c => c.Role).Must(r => Roles.Contains(r)).WithText(RoleRule);
            RuleFor(c => c.Password).NotEmpty().WithText(PasswordRule).MinimumLength(Passwords.MinimumLength).WithText(PasswordRule)
                .MaximumLength(Passwords.MaximumLength);
            RuleFor(c => c.SkillGroup).Must(g => g is null or "device" or "billing").WithText(SkillGroupRule);
            RuleFor(c => c.Caller).NotNull();
        }
    }

    public sealed record Result(Guid Id, string Login, string Role);

    public sealed class Handler(CaseSession session, TimeProvider clock) : IRequestHandler<Command, Result>
    {
        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            Administration.Require(request.Caller);
            var taken = await session.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM users WHERE login = @Login", request, cancellationToken)
                .ConfigureAwait(false);
            if (taken > 0)
                throw new ConflictException(Administration.Say($"A user with login '{request.Login}' already exists.", $"账号“{request.Login}”已存在。"));
            var id = Guid.NewGuid();
            await session.ExecuteAsync("""
                INSERT INTO users (id, login, display_name, role, skill_group, away, password_hash, created_at)
                VALUES (@id, @Login, @DisplayName, @Role, @SkillGroup, @away, @hash, @now)
                """, new
            {
                id, request.Login, request.DisplayName, request.Role, SkillGroup = request.Role == "agent" ? request.SkillGroup : null, away = false,
                hash = Passwords.Hash(request.Login, request.Password), now = clock.GetUtcNow(),
            }, cancellationToken).ConfigureAwait(false);
            return new Result(id, request.Login, request.Role);
        }
    }
}
