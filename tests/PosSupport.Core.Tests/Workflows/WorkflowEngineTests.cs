using System.Text.Json.Nodes;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Tests.Workflows;

public class WorkflowEngineTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

    private static WorkflowEngine Engine(Action<JsonObject>? change = null)
    {
        var node = MiniWorkflow.Node();
        change?.Invoke(node);
        var result = MiniWorkflow.Load(node);
        Assert.Empty(result.Errors);
        return new WorkflowEngine(result.Catalog!);
    }

    private static CaseSnapshot Case(string state, CaseFacts? facts = null) => new("mini", 1, state, 7, Now, facts ?? CaseFacts.Empty);

    private static readonly CaseFacts LicenceAccepted = new() { AcceptedEvidence = new HashSet<string> { "business-licence" } };

    private static Dictionary<string, string> Note => new() { ["note"] = "all good" };

    [Fact]
    public void Allowed_actions_explain_an_unmet_guard_in_both_languages()
    {
        var complete = Engine().AllowedActions(Case("open"), Actor.Agent).Single(a => a.Trigger == "complete");

        Assert.False(complete.Allowed);
        var reason = Assert.Single(complete.Reasons);
        Assert.Equal(BlockKind.Guard, reason.Kind);
        Assert.Equal("evidence.complete", reason.Code);
        Assert.Equal("Some required evidence is still missing or not accepted", reason.Text.En);
        Assert.Equal("仍有所需证据材料缺失或未通过审核", reason.Text.ZhCn);
    }

    [Fact]
    public void Allowed_actions_tell_who_may_act_when_the_actor_may_not()
    {
        var actions = Engine().AllowedActions(Case("open"), Actor.Customer);

        var complete = actions.Single(a => a.Trigger == "complete");
        Assert.False(complete.Allowed);
        var reason = Assert.Single(complete.Reasons);
        Assert.Equal(BlockKind.WrongActor, reason.Kind);
        Assert.Equal("Only an agent may do this", reason.Text.En);
        Assert.Equal("仅客服可执行此操作", reason.Text.ZhCn);
        Assert.True(actions.Single(a => a.Trigger == "withdraw").Allowed);
    }

    [Fact]
    public void Allowed_actions_report_missing_inputs_when_inputs_are_given()
    {
        var complete = Engine().AllowedActions(Case("open", LicenceAccepted), Actor.Agent, new Dictionary<string, string>())
            .Single(a => a.Trigger == "complete");

        Assert.False(complete.Allowed);
        var reason = Assert.Single(complete.Reasons);
        Assert.Equal(BlockKind.MissingInput, reason.Kind);
        Assert.Equal("Required: Note", reason.Text.En);
        Assert.Equal("note", Assert.Single(complete.Inputs).Name);
    }

    [Fact]
    public void Allowed_actions_list_every_trigger_of_the_state_including_shared_ones()
    {
        var triggers = Engine().AllowedActions(Case("open", LicenceAccepted), Actor.Agent).Select(a => (a.Trigger, a.Allowed));
        Assert.Equal([("complete", true), ("time-out", false), ("withdraw", true)], triggers);
    }

    [Fact]
    public void Firing_reports_the_transition_and_its_effects_in_order()
    {
        var result = Engine().Fire(Case("open", LicenceAccepted), Actor.Agent, "complete", Note);

        Assert.True(result.Succeeded);
        Assert.Equal("resolved", result.Transition!.To);
        Assert.Collection(result.Effects,
            e => Assert.Equal(new FollowUpsCancelled("open"), e),
            e => Assert.Equal(new StateExited("open"), e),
            e => Assert.Equal("done", Assert.IsType<OutcomeSet>(e).Outcome),
            e => Assert.Equal(("resolved", StateKind.Resolved), (Assert.IsType<StateEntered>(e).State, ((StateEntered)e).Kind)),
            e =>
            {
                var scheduled = Assert.IsType<FollowUpScheduled>(e);
                Assert.Equal("auto-close", scheduled.FollowUp.Fire);
                Assert.Equal(Now.AddDays(7), scheduled.DueAt);
            });
    }

    [Fact]
    public void Firing_is_refused_with_every_input_problem_at_once()
    {
        var result = Engine(root => root.Transition("open", 0)["inputs"]!.AsArray().Add(JsonNode.Parse("""
            { "name": "amount", "title": { "en": "Amount", "zh-CN": "金额" }, "type": "money", "required": true }
            """))).Fire(Case("open", LicenceAccepted), Actor.Agent, "complete",
            new Dictionary<string, string> { ["amount"] = "-5", ["colour"] = "red" });

        Assert.False(result.Succeeded);
        Assert.Empty(result.Effects);
        Assert.Equal(
            [(BlockKind.UnknownInput, "colour"), (BlockKind.MissingInput, "note"), (BlockKind.InvalidInput, "amount")],
            result.Reasons.Select(r => (r.Kind, r.Code)));
        Assert.Equal("Amount must be an amount in fen (a whole number, 0 or more)", result.Reasons[2].Text.En);
    }

    [Fact]
    public void Firing_an_unknown_trigger_names_the_state()
    {
        var reason = Assert.Single(Engine().Fire(Case("open"), Actor.Agent, "teleport").Reasons);
        Assert.Equal(BlockKind.UnknownTrigger, reason.Kind);
        Assert.Equal("There is no action 'teleport' in the state 'Open'", reason.Text.En);
        Assert.Equal("当前状态「处理中」下没有操作「teleport」", reason.Text.ZhCn);
    }

    [Fact]
    public void Firing_is_refused_while_a_guard_does_not_hold()
    {
        var result = Engine().Fire(Case("open"), Actor.Agent, "complete", Note);
        Assert.False(result.Succeeded);
        Assert.Equal("evidence.complete", Assert.Single(result.Reasons).Code);
    }

    [Fact]
    public void Entering_a_state_requests_its_evidence_sends_its_messages_and_arms_its_follow_ups()
    {
        var start = Engine().Start("mini", Now);

        Assert.Equal("open", start.State);
        Assert.Collection(start.Effects,
            e => Assert.Equal("open", Assert.IsType<StateEntered>(e).State),
            e => Assert.Equal(["business-licence"], Assert.IsType<EvidenceRequested>(e).Types),
            e => Assert.Equal("evidence.request", Assert.IsType<ActionRequested>(e).Name),
            e => Assert.Equal(new MessageRequested(Recipient.Merchant, "evidence-missing"), e),
            e => Assert.Equal((Now.AddHours(24), "evidence-missing", 2), (((FollowUpScheduled)e).DueAt, ((FollowUpScheduled)e).FollowUp.Remind, ((FollowUpScheduled)e).FollowUp.Repeat)),
            e => Assert.Equal((Now.AddDays(7), "time-out"), (((FollowUpScheduled)e).DueAt, ((FollowUpScheduled)e).FollowUp.Fire)));
    }

    [Fact]
    public void Reopening_a_resolved_case_clears_its_outcome_and_rearms_the_state()
    {
        var result = Engine().Fire(Case("resolved"), Actor.Customer, "reopen");

        Assert.True(result.Succeeded);
        Assert.Contains(result.Effects, e => e is OutcomeCleared);
        Assert.Contains(result.Effects, e => e is FollowUpsCancelled { State: "resolved" });
        Assert.Equal(2, result.Effects.OfType<FollowUpScheduled>().Count());
    }

    [Fact]
    public void Auto_close_keeps_the_outcome_set_at_resolution()
    {
        var result = Engine().Fire(Case("resolved"), Actor.System, "auto-close");
        Assert.Equal("closed", result.Transition!.To);
        Assert.DoesNotContain(result.Effects, e => e is OutcomeSet or OutcomeCleared);
    }

    [Fact]
    public void A_reentry_transition_cancels_and_rearms_the_states_follow_ups()
    {
        var engine = Engine(root => root.State("open")["transitions"]!.AsArray().Add(JsonNode.Parse("""
            { "trigger": "nudge", "title": { "en": "Nudge", "zh-CN": "催促" }, "to": "open", "by": ["agent"] }
            """)));

        var result = engine.Fire(Case("open"), Actor.Agent, "nudge");

        Assert.True(result.Transition!.IsReentry);
        Assert.IsType<FollowUpsCancelled>(result.Effects[0]);
        Assert.Equal(2, result.Effects.OfType<FollowUpScheduled>().Count());
    }

    [Fact]
    public void Exclusive_guards_route_one_trigger_to_different_states()
    {
        var engine = Engine(root => root.State("open")["transitions"]!.AsArray().Add(JsonNode.Parse("""
            { "trigger": "complete", "title": { "en": "Complete", "zh-CN": "完成" }, "to": "closed", "by": ["agent"],
              "when": ["!evidence.complete"], "outcome": "abandoned",
              "inputs": [ { "name": "note", "title": { "en": "Note", "zh-CN": "备注" }, "type": "text", "required": true } ] }
            """)));

        Assert.Equal("resolved", engine.Fire(Case("open", LicenceAccepted), Actor.Agent, "complete", Note).Transition!.To);
        Assert.Equal("closed", engine.Fire(Case("open"), Actor.Agent, "complete", Note).Transition!.To);
    }

    [Fact]
    public void Shared_transitions_are_not_offered_in_resolved_or_final_states()
    {
        var engine = Engine();
        Assert.DoesNotContain(engine.AllowedActions(Case("resolved"), Actor.Agent), a => a.Trigger == "withdraw");
        Assert.Empty(engine.AllowedActions(Case("closed"), Actor.Agent));
    }

    [Fact]
    public void Diagram_is_mermaid_with_every_state_and_the_current_one_highlighted()
    {
        var definition = MiniWorkflow.Load(MiniWorkflow.Json).Catalog!.All[0];

        var diagram = WorkflowDiagram.ToMermaid(definition, currentState: "resolved");

        Assert.StartsWith("stateDiagram-v2", diagram, StringComparison.Ordinal);
        Assert.Contains("evidence.complete", diagram, StringComparison.Ordinal);
        foreach (var state in new[] { "open", "resolved", "closed" }) Assert.Contains(state, diagram, StringComparison.Ordinal);
        Assert.Contains("class resolved current", diagram, StringComparison.Ordinal);
    }
}
