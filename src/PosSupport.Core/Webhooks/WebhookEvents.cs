using System.Text.Json;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Webhooks;

/// <summary>
/// What a channel client is told about its cases, derived from the merchant-visible timeline: <c>message.created</c>
/// (replies, reminders, offers in words), <c>case.state_changed</c>, <c>offer.created</c> and <c>case.resolved</c>.
/// </summary>
public static class WebhookEvents
{
    public const string MessageCreated = "message.created";
    public const string StateChanged = "case.state_changed";
    public const string OfferCreated = "offer.created";
    public const string Resolved = "case.resolved";

    public sealed record Occurrence(string Type, long Seq, object Data);

    /// <summary>The webhook events of one timeline event (none for most kinds).</summary>
    public static IEnumerable<Occurrence> Of(long seq, string kind, JsonElement data, WorkflowDefinition workflow)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        switch (kind)
        {
            case "message-queued" when Text(data, "recipient") == "merchant":
                yield return new Occurrence(MessageCreated, seq, new { text = Text(data, "body"), template = Text(data, "template"), language = Text(data, "language") });
                break;
            case "message" when Text(data, "direction") == "outbound":
                yield return new Occurrence(MessageCreated, seq, new { text = Text(data, "text"), template = (string?)null, language = (string?)null });
                break;
            case "offer-proposed":
                yield return new Occurrence(OfferCreated, seq, new
                {
                    offerId = Text(data, "offer"), kind = Text(data, "kind"), amountFen = data.TryGetProperty("amountFen", out var a) ? a.GetInt64() : 0,
                    expiresAt = Text(data, "expiresAt"),
                });
                break;
            case "transition":
                var to = Text(data, "to") ?? "";
                yield return new Occurrence(StateChanged, seq, new { from = Text(data, "from"), to, trigger = Text(data, "trigger"), outcome = Text(data, "outcome") });
                if (workflow.TryGetState(to, out var state) && state.Kind == StateKind.Resolved)
                    yield return new Occurrence(Resolved, seq, new { state = to, outcome = Text(data, "outcome") });
                break;
        }
    }

    private static string? Text(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
