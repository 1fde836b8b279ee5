using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Cases;

/// <summary>
/// Round-robin assignment of new cases among the agents of the case type's skill group (device cases to the
/// device group, fee disputes to billing), skipping agents marked away and disabled ones. The cursor is a row, so it survives restarts.
/// </summary>
public sealed class Assignment(CaseSession session)
{
    public static string SkillGroup(string workflowId) => workflowId == "device-replacement" ? "device" : "billing";

    public async Task<Guid?> NextAgentAsync(string workflowId, CancellationToken cancellationToken)
    {
        var group = SkillGroup(workflowId);
        var agents = (await session.QueryAsync<Guid>(
            "SELECT id FROM users WHERE role = 'agent' AND skill_group = @group AND away = FALSE AND disabled_at IS NULL", new { group }, cancellationToken)
            .ConfigureAwait(false)).Order().ToList();
        if (agents.Count == 0) return null;
        var last = await session.ExecuteScalarAsync<Guid?>("SELECT last_user_id FROM assignment_cursors WHERE skill_group = @group", new { group }, cancellationToken)
            .ConfigureAwait(false);
        var next = agents.FirstOrDefault(a => last is not null && a.CompareTo(last.Value) > 0);
        if (next == Guid.Empty) next = agents[0];
        await session.ExecuteAsync("""
            INSERT INTO assignment_cursors (skill_group, last_user_id) VALUES (@group, @next)
            ON CONFLICT (skill_group) DO UPDATE SET last_user_id = @next
            """, new { group, next }, cancellationToken).ConfigureAwait(false);
        return next;
    }
}
