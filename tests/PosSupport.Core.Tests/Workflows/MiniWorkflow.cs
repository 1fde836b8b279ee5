using System.Text;
using System.Text.Json.Nodes;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Tests.Workflows;

/// <summary>A small valid workflow that validator tests break one rule at a time.</summary>
internal static class MiniWorkflow
{
    public const string FileName = "mini.v1.json";

    public const string Json = """
    {
      "$schema": "./workflow.schema.json",
      "id": "mini",
      "version": 1,
      "title": { "en": "Mini", "zh-CN": "迷你" },
      "caseNumberPrefix": "MI",
      "initialState": "open",
      "sla": {
        "firstResponse": { "low": "PT8H", "normal": "PT4H", "high": "PT2H", "urgent": "PT1H" },
        "resolution": { "low": "P10D", "normal": "P5D", "high": "P2D", "urgent": "P1D" }
      },
      "outcomes": {
        "done": { "en": "Done", "zh-CN": "完成" },
        "abandoned": { "en": "Abandoned", "zh-CN": "放弃" },
        "withdrawn": { "en": "Withdrawn", "zh-CN": "撤回" }
      },
      "messages": {
        "evidence-missing": { "en": "Case {caseNumber}: please send {missingEvidence}.", "zh-CN": "工单 {caseNumber}：请提供{missingEvidence}。" }
      },
      "states": {
        "open": {
          "title": { "en": "Open", "zh-CN": "处理中" },
          "kind": "waiting-on-merchant",
          "requiresEvidence": ["business-licence"],
          "onEntry": [ { "effect": "evidence.request" }, { "effect": "merchant.notify", "template": "evidence-missing" } ],
          "followUps": [
            { "after": "PT24H", "remind": "evidence-missing", "repeat": 2, "every": "PT24H" },
            { "after": "P7D", "fire": "time-out" }
          ],
          "transitions": [
            { "trigger": "complete", "title": { "en": "Complete", "zh-CN": "完成" }, "to": "resolved", "by": ["agent"],
              "when": ["evidence.complete"], "outcome": "done",
              "inputs": [ { "name": "note", "title": { "en": "Note", "zh-CN": "备注" }, "type": "text", "required": true } ] },
            { "trigger": "time-out", "title": { "en": "Time out", "zh-CN": "超时" }, "to": "closed", "by": ["system"], "outcome": "abandoned" }
          ]
        },
        "resolved": {
          "title": { "en": "Resolved", "zh-CN": "已解决" },
          "kind": "resolved",
          "followUps": [ { "after": "P7D", "fire": "auto-close" } ],
          "transitions": [
            { "trigger": "auto-close", "title": { "en": "Close", "zh-CN": "关闭" }, "to": "closed", "by": ["system"] },
            { "trigger": "reopen", "title": { "en": "Reopen", "zh-CN": "重新打开" }, "to": "open", "by": ["customer", "agent"] }
          ]
        },
        "closed": { "title": { "en": "Closed", "zh-CN": "已关闭" }, "kind": "final" }
      },
      "sharedTransitions": [
        { "trigger": "withdraw", "title": { "en": "Withdraw", "zh-CN": "撤回" }, "to": "closed", "by": ["customer", "agent"], "outcome": "withdrawn" }
      ]
    }
    """;

    public static JsonObject Node() => JsonNode.Parse(Json)!.AsObject();

    public static WorkflowLoadResult Load(JsonNode node, string fileName = FileName) => Load(node.ToJsonString(), fileName);

    public static WorkflowLoadResult Load(string json, string fileName = FileName) =>
        WorkflowLoader.Load([(fileName, Encoding.UTF8.GetBytes(json))]);

    public static JsonObject State(this JsonObject root, string name) => root["states"]![name]!.AsObject();

    public static JsonObject Transition(this JsonObject root, string state, int index) =>
        root.State(state)["transitions"]![index]!.AsObject();
}
