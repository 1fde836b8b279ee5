using Dapper;
using PosSupport.Core.Cases;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Tests.Support;

/// <summary>Set-up for the evidence and conversation slices: channels, open data-fee cases and files of each kind.</summary>
public static class TestDataEvidence
{
    /// <summary>A data-fee case opened by a channel: it waits in collecting-evidence with three requested documents.</summary>
    public static async Task<(OpenCase.Result Case, Caller Channel)> OpenDataFeeCaseAsync(this SliceFixture fixture, string language = "zh-CN",
        string? webhookUrl = null)
    {
        var merchant = await fixture.MerchantAsync(language: language);
        var channel = await fixture.ChannelAsync(webhookUrl);
        var opened = await fixture.SendAsync(new OpenCase.Command("data-fee-cancellation", merchant.MerchantId, "流量费被扣了99元", channel,
            ClaimAmountFen: 9_900, ClaimChargedOn: new DateOnly(2026, 11, 1), ConversationId: "conv-" + Guid.NewGuid().ToString("N")[..8]));
        return (opened, channel);
    }

    public static Task<long> VersionAsync(this SliceFixture fixture, Guid caseId) =>
        fixture.ScalarAsync<long>("SELECT version FROM cases WHERE id = @caseId", new { caseId });

    public static Task<long> EventCountAsync(this SliceFixture fixture, Guid caseId, string? kind = null) =>
        fixture.ScalarAsync<long>("SELECT COUNT(*) FROM case_events WHERE case_id = @caseId AND (@kind IS NULL OR kind = @kind)", new { caseId, kind });

}

/// <summary>Files whose first bytes say what they are; the rest makes each one distinct.</summary>
public static class Files
{
    public static byte[] Jpeg(string tag = "a") => [0xFF, 0xD8, 0xFF, 0xE0, .. System.Text.Encoding.UTF8.GetBytes("JFIF " + tag)];
    public static byte[] Png(string tag = "a") => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. System.Text.Encoding.UTF8.GetBytes("IHDR " + tag)];
    public static byte[] Pdf(string tag = "a") => System.Text.Encoding.ASCII.GetBytes("%PDF-1.7\n% settlement statement " + tag + "\n%%EOF");
    public static byte[] WindowsExecutable() => [0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, .. System.Text.Encoding.ASCII.GetBytes("This program cannot be run in DOS mode.")];
}
