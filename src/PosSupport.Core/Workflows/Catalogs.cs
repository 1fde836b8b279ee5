namespace PosSupport.Core.Workflows;

/// <summary>An on-entry effect a workflow may name. The engine emits it as data; the case handler carries it out.</summary>
public sealed record EffectKind(string Name, LocalizedText Title, bool NeedsTemplate);

public static class EffectCatalog
{
    public static readonly IReadOnlyDictionary<string, EffectKind> All = new[]
    {
        new EffectKind("contract.lookup", new("Look up the merchant's contract terms", "调取商户合同条款"), false),
        new EffectKind("evidence.request", new("Ask the merchant for the required evidence", "向商户索取所需证据材料"), false),
        new EffectKind("merchant.notify", new("Send the merchant a message", "向商户发送消息"), true),
        new EffectKind("assignee.notify", new("Notify the assigned agent", "通知负责客服"), true),
        new EffectKind("supervisor.queue", new("Put the case in the supervisors' queue", "转入主管队列"), false),
        new EffectKind("refund.instruct", new("Instruct finance to refund the agreed amount", "通知财务按约定金额退款"), false),
        new EffectKind("device.ship-replacement", new("Ship a replacement device", "寄送替换机具"), false),
        new EffectKind("device.bind-replacement", new("Bind the replacement device to the merchant and carry over the fee rate", "将替换机具绑定商户并沿用原费率"), false),
        new EffectKind("case.open-device-replacement", new("Open a device-replacement case for the merchant", "为商户新建换机工单"), false),
    }.ToDictionary(e => e.Name, StringComparer.Ordinal);
}

/// <summary>A kind of evidence a workflow may require, with the file types accepted for it.</summary>
public sealed record EvidenceType(string Name, LocalizedText Title, IReadOnlyList<string> MediaTypes);

public static class EvidenceCatalog
{
    private static readonly string[] Images = ["image/jpeg", "image/png"];
    private static readonly string[] Documents = ["image/jpeg", "image/png", "application/pdf"];

    public static readonly IReadOnlyDictionary<string, EvidenceType> All = new[]
    {
        new EvidenceType("business-licence", new("Business licence", "营业执照"), Documents),
        new EvidenceType("transaction-records", new("Transaction records", "交易记录"), Documents),
        new EvidenceType("settlement-statement", new("Settlement statement showing the deduction", "显示扣费的结算单"), Documents),
        new EvidenceType("chat-records", new("Chat records or emails with earlier support", "与客服的聊天记录或邮件"), Documents),
        new EvidenceType("contract-copy", new("Copy of the signed contract", "已签署合同的复印件"), Documents),
        new EvidenceType("device-photo", new("Photo of the device", "机具照片"), Images),
        new EvidenceType("screen-photo", new("Photo of the screen or error code", "屏幕或错误码照片"), Images),
        new EvidenceType("sn-label-photo", new("Photo of the serial-number label", "序列号标签照片"), Images),
        new EvidenceType("courier-receipt", new("Courier receipt for the returned device", "退回机具的快递单"), Documents),
    }.ToDictionary(e => e.Name, StringComparer.Ordinal);
}

/// <summary>The placeholders message templates may use; the case handler fills them in.</summary>
public static class MessagePlaceholders
{
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        "caseNumber", "merchantName", "missingEvidence", "offerSummary", "offerExpiresAt",
        "trackingNumber", "deviceSerial", "amount", "dueAt",
    };
}
