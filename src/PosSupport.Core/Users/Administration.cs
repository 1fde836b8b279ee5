using System.Globalization;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Users;

/// <summary>What the admin-only requests (users, API clients, webhook deliveries) share: who may send them.</summary>
public static class Administration
{
    /// <summary>Refuses anyone but an administrator or the host itself (CLI verbs).</summary>
    public static void Require(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.MayAdminister) throw new ForbiddenException(Say("Only an administrator may do this.", "只有管理员可以执行此操作。"));
    }

    /// <summary>A message in the request's language (the dashboard's circuit or the API's Accept-Language).</summary>
    public static string Say(string en, string zhCn) => new LocalizedText(en, zhCn).For(CultureInfo.CurrentUICulture);

    /// <summary>The user an admin acts on, or <see cref="NotFoundException"/>.</summary>
    internal static async Task<(Guid Id, string Login, string Role)> UserAsync(CaseSession session, Guid userId, CancellationToken cancellationToken)
    {
        var row = await session.QuerySingleOrDefaultAsync<UserRow>("SELECT id AS Id, login AS Login, role AS Role FROM users WHERE id = @userId",
            new { userId }, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("User", userId.ToString("D"));
        return (row.Id, row.Login, row.Role);
    }

    /// <summary>Whether <paramref name="caller"/> is the user <paramref name="userId"/> (an API client's id is never a user's).</summary>
    internal static bool IsSelf(Caller caller, Guid userId) => Guid.TryParse(caller.Id, out var id) && id == userId;

    private sealed class UserRow
    {
        public Guid Id { get; set; }
        public string Login { get; set; } = "";
        public string Role { get; set; } = "";
    }
}
