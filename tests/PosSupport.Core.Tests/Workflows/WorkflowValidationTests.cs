using System.Text.Json.Nodes;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Tests.Workflows;

public class WorkflowValidationTests
{
    private static void AssertSingleError(WorkflowLoadResult result, string path, string message, string file = MiniWorkflow.FileName)
    {
        Assert.False(result.Succeeded);
        Assert.Null(result.Catalog);
        var error = Assert.Single(result.Errors);
        Assert.Equal(file, error.File);
        Assert.Equal(path, error.Path);
        Assert.Equal(message, error.Message);
    }

    private static WorkflowLoadResult LoadWith(Action<JsonObject> breakIt)
    {
        var node = MiniWorkflow.Node();
        breakIt(node);
        return MiniWorkflow.Load(node);
    }

    [Fact]
    public void The_fixture_itself_is_valid()
    {
        var result = MiniWorkflow.Load(MiniWorkflow.Json);
        Assert.Empty(result.Errors);
        Assert.True(result.Succeeded);
    }

    [Fact]
    public void A_transitions_own_effects_are_checked_like_on_entry_effects()
    {
        var unknownTemplate = LoadWith(root => root.Transition("open", 0)["effects"] = JsonNode.Parse("""[{ "effect": "merchant.notify", "template": "nope" }]"""));
        var noTemplate = LoadWith(root => root.Transition("open", 0)["effects"] = JsonNode.Parse("""[{ "effect": "assignee.notify" }]"""));

        AssertSingleError(unknownTemplate, "$.states.open.transitions[0].effects[0].template", "unknown message template 'nope'");
        AssertSingleError(noTemplate, "$.states.open.transitions[0].effects[0]", "effect 'assignee.notify' needs a message template");
    }

    [Fact]
    public void Invalid_json_is_reported_with_line_and_column()
    {
        var result = MiniWorkflow.Load("{\n  \"id\": \"mini\",\n  \"version\": 1,,\n}");
        var error = Assert.Single(result.Errors);
        Assert.Equal(MiniWorkflow.FileName, error.File);
        Assert.StartsWith("invalid JSON at line 3, column 16:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Schema_violations_are_all_reported_with_their_paths()
    {
        var result = LoadWith(root =>
        {
            root["version"] = "one";
            root.State("open")["kind"] = "sleeping";
            root.Transition("open", 0)["colour"] = "red";
            root.Remove("caseNumberPrefix");
        });
        Assert.Equal(
        [
            "mini.v1.json: $: required property 'caseNumberPrefix' is missing",
            "mini.v1.json: $.version: expected integer, found 'one'",
            "mini.v1.json: $.states.open.kind: 'sleeping' is not one of active, waiting-on-merchant, resolved, final",
            "mini.v1.json: $.states.open.transitions[0]: unknown property 'colour'",
        ], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Missing_chinese_title_is_reported()
    {
        var result = LoadWith(root => root.State("resolved")["title"]!.AsObject().Remove("zh-CN"));
        AssertSingleError(result, "$.states.resolved.title", "required property 'zh-CN' is missing");
    }

    [Fact]
    public void Missing_english_title_is_reported()
    {
        var result = LoadWith(root => root["title"]!.AsObject().Remove("en"));
        AssertSingleError(result, "$.title", "required property 'en' is missing");
    }

    [Fact]
    public void Unknown_actor_is_reported()
    {
        var result = LoadWith(root => root.Transition("open", 0)["by"] = new JsonArray("agent", "robot"));
        AssertSingleError(result, "$.states.open.transitions[0].by[1]", "'robot' is not one of customer, agent, supervisor, system");
    }

    [Fact]
    public void Unknown_target_state_is_reported()
    {
        var result = LoadWith(root => root.Transition("open", 1)["to"] = "finished");
        AssertSingleError(result, "$.states.open.transitions[1].to", "unknown state 'finished'");
    }

    [Fact]
    public void Unknown_initial_state_is_reported()
    {
        var result = LoadWith(root => root["initialState"] = "start");
        AssertSingleError(result, "$.initialState", "unknown state 'start'");
    }

    [Fact]
    public void Unreachable_state_is_reported()
    {
        var result = LoadWith(root => root["states"]!["limbo"] = JsonNode.Parse("""
            { "title": { "en": "Limbo", "zh-CN": "待定" }, "kind": "active",
              "transitions": [ { "trigger": "leave", "title": { "en": "Leave", "zh-CN": "离开" }, "to": "open", "by": ["agent"] } ] }
            """));
        AssertSingleError(result, "$.states.limbo", "unreachable from the initial state 'open'");
    }

    [Fact]
    public void Non_final_state_without_a_way_out_is_reported()
    {
        var result = LoadWith(root => root.State("resolved")["transitions"] = new JsonArray());
        var messages = result.Errors.Select(e => $"{e.Path}: {e.Message}").ToList();
        Assert.Contains("$.states.resolved: state has no way out but is not final", messages);
    }

    [Fact]
    public void Final_state_with_outgoing_transitions_is_reported()
    {
        var result = LoadWith(root => root.State("closed")["transitions"] = JsonNode.Parse("""
            [ { "trigger": "revive", "title": { "en": "Revive", "zh-CN": "复活" }, "to": "open", "by": ["agent"] } ]
            """));
        AssertSingleError(result, "$.states.closed.transitions", "a final state has no way out: remove its transitions or change its kind");
    }

    [Fact]
    public void Unknown_guard_is_reported()
    {
        var result = LoadWith(root => root.Transition("open", 0)["when"] = new JsonArray("evidence.complete", "!moon.is-full"));
        AssertSingleError(result, "$.states.open.transitions[0].when[1]", "unknown guard 'moon.is-full'");
    }

    [Fact]
    public void Unknown_effect_is_reported()
    {
        var result = LoadWith(root => root.State("open")["onEntry"]![0]!["effect"] = "fax.send");
        AssertSingleError(result, "$.states.open.onEntry[0].effect", "unknown effect 'fax.send'");
    }

    [Fact]
    public void Notification_effect_without_template_is_reported()
    {
        var result = LoadWith(root => root.State("open")["onEntry"]![1]!.AsObject().Remove("template"));
        AssertSingleError(result, "$.states.open.onEntry[1]", "effect 'merchant.notify' needs a message template");
    }

    [Fact]
    public void Unknown_evidence_type_is_reported()
    {
        var result = LoadWith(root => root.State("open")["requiresEvidence"] = new JsonArray("business-licence", "horoscope"));
        AssertSingleError(result, "$.states.open.requiresEvidence[1]", "unknown evidence type 'horoscope'");
    }

    [Fact]
    public void Unknown_message_template_is_reported()
    {
        var result = LoadWith(root => root.State("open")["followUps"]![0]!["remind"] = "evidence-overdue");
        AssertSingleError(result, "$.states.open.followUps[0].remind", "unknown message template 'evidence-overdue'");
    }

    [Fact]
    public void Unknown_placeholder_in_a_message_is_reported()
    {
        var result = LoadWith(root => root["messages"]!["evidence-missing"]!["en"] = "Dear {merchantNmae}, please send {missingEvidence}.");
        var error = Assert.Single(result.Errors);
        Assert.Equal("$.messages['evidence-missing'].en", error.Path);
        Assert.StartsWith("unknown placeholder {merchantNmae}; known: {amount}, {caseNumber}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Same_trigger_twice_without_exclusive_guards_is_reported()
    {
        var result = LoadWith(root => root.State("open")["transitions"]!.AsArray().Add(JsonNode.Parse("""
            { "trigger": "complete", "title": { "en": "Complete", "zh-CN": "完成" }, "to": "closed", "by": ["agent"], "outcome": "done" }
            """)));
        AssertSingleError(result, "$.states.open.transitions[2]",
            "trigger 'complete' from state 'open' is also declared at $.states.open.transitions[0] without exclusive guards: give one a guard g and the other !g");
    }

    [Fact]
    public void Same_trigger_twice_with_negated_guards_is_accepted()
    {
        var result = LoadWith(root => root.State("open")["transitions"]!.AsArray().Add(JsonNode.Parse("""
            { "trigger": "complete", "title": { "en": "Complete", "zh-CN": "完成" }, "to": "closed", "by": ["agent"],
              "when": ["!evidence.complete"], "outcome": "done",
              "inputs": [ { "name": "note", "title": { "en": "Note", "zh-CN": "备注" }, "type": "text", "required": true } ] }
            """)));
        Assert.Empty(result.Errors);
    }

    [Theory]
    [InlineData("P1M", "'P1M': not a duration in weeks, days, hours, minutes or seconds (e.g. P7D, PT24H, PT30M); years and months are not allowed")]
    [InlineData("24 hours", "'24 hours': not a duration in weeks, days, hours, minutes or seconds (e.g. P7D, PT24H, PT30M); years and months are not allowed")]
    [InlineData("PT0S", "duration must be greater than zero")]
    [InlineData("P0D", "duration must be greater than zero")]
    public void Bad_or_zero_duration_is_reported(string duration, string message)
    {
        var result = LoadWith(root => root.State("open")["followUps"]![1]!["after"] = duration);
        AssertSingleError(result, "$.states.open.followUps[1].after", message);
    }

    [Fact]
    public void Follow_up_firing_a_trigger_the_system_may_not_fire_is_reported()
    {
        var result = LoadWith(root => root.State("open")["followUps"]![1]!["fire"] = "complete");
        AssertSingleError(result, "$.states.open.followUps[1].fire", "trigger 'complete' cannot be fired by system: add \"system\" to its 'by'");
    }

    [Fact]
    public void Follow_up_firing_an_unknown_trigger_is_reported()
    {
        var result = LoadWith(root => root.State("open")["followUps"]![1]!["fire"] = "explode");
        AssertSingleError(result, "$.states.open.followUps[1].fire", "state 'open' has no trigger 'explode'");
    }

    [Fact]
    public void Repeated_reminder_without_interval_is_reported()
    {
        var result = LoadWith(root => root.State("open")["followUps"]![0]!.AsObject().Remove("every"));
        AssertSingleError(result, "$.states.open.followUps[0].repeat", "a repeated reminder needs 'every'");
    }

    [Fact]
    public void Transition_into_a_final_state_without_outcome_is_reported()
    {
        var result = LoadWith(root => root.Transition("open", 1).Remove("outcome"));
        AssertSingleError(result, "$.states.open.transitions[1]", "a transition into final state 'closed' needs an 'outcome'");
    }

    [Fact]
    public void Undeclared_outcome_is_reported()
    {
        var result = LoadWith(root => root.Transition("open", 1)["outcome"] = "vanished");
        AssertSingleError(result, "$.states.open.transitions[1].outcome", "unknown outcome 'vanished': declare it in $.outcomes");
    }

    [Fact]
    public void Shared_transition_to_an_unknown_state_is_reported_once()
    {
        var result = LoadWith(root => root["sharedTransitions"]![0]!["to"] = "gone");
        AssertSingleError(result, "$.sharedTransitions[0].to", "unknown state 'gone'");
    }

    [Fact]
    public void File_name_must_match_id_and_version()
    {
        var result = MiniWorkflow.Load(MiniWorkflow.Json, "mini.json");
        AssertSingleError(result, "$", "file name must be 'mini.v1.json' (one file per workflow and version)", file: "mini.json");
    }

    [Fact]
    public void Duplicate_id_and_version_is_reported()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(MiniWorkflow.Json);
        var result = WorkflowLoader.Load([("mini.v1.json", bytes), ("mini.v1.json", bytes)]);
        AssertSingleError(result, "$.version", "workflow 'mini' version 1 is also defined in mini.v1.json");
    }

    [Fact]
    public void Every_problem_in_a_file_is_reported_not_just_the_first()
    {
        var result = LoadWith(root =>
        {
            root.Transition("open", 1)["to"] = "finished";
            root.Transition("open", 0)["when"] = new JsonArray("moon.is-full");
            root.State("open")["requiresEvidence"] = new JsonArray("horoscope");
        });
        Assert.Equal(3, result.Errors.Count);
    }

    [Fact]
    public void A_directory_with_one_broken_file_yields_no_catalog()
    {
        var directory = Directory.CreateTempSubdirectory("wf-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "mini.v1.json"), MiniWorkflow.Json);
            var broken = MiniWorkflow.Node();
            broken["version"] = 2;
            broken["initialState"] = "nowhere";
            File.WriteAllText(Path.Combine(directory.FullName, "mini.v2.json"), broken.ToJsonString());

            var result = WorkflowLoader.LoadDirectory(directory.FullName);

            Assert.Null(result.Catalog);
            Assert.Contains(result.Errors, e => e.ToString() == "mini.v2.json: $.initialState: unknown state 'nowhere'");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
