namespace PosSupport.Web.Tests.Api;

[Collection(SharedApiWorld.Name)]
public sealed class ProblemLanguageApiTests(ApiWorld world)
{
    [Theory]
    [InlineData("zh-CN", "请求中有字段不合规", "流量费工单须填写扣费金额（单位：分）。", "不能为空")]
    [InlineData("zh-CN,zh;q=0.9,en;q=0.8", "请求中有字段不合规", "流量费工单须填写扣费金额（单位：分）。", "不能为空")]
    [InlineData("en-US,en;q=0.9", "The request has invalid fields", "A data-fee case needs the amount charged, in fen.", "must not be empty")]
    [InlineData(null, "The request has invalid fields", "A data-fee case needs the amount charged, in fen.", "must not be empty")]
    public async Task Validation_problems_speak_the_callers_language_field_by_field(string? language, string title, string amount, string empty)
    {
        var (merchant, _) = await world.MerchantAsync();

        using var response = await world.ChannelA.PostApiAsync("/api/v1/cases", new { type = "data-fee-cancellation", merchantId = merchant, description = "" },
            language: language);

        var problem = await response.ProblemAsync(400, "validation");
        Assert.Equal(title, problem.GetProperty("title").GetString());
        var errors = problem.GetProperty("errors");
        Assert.Equal(amount, Assert.Single(errors.GetProperty("claimAmountFen").EnumerateArray()).GetString());
        Assert.Contains(empty, Assert.Single(errors.GetProperty("description").EnumerateArray()).GetString(), StringComparison.Ordinal);
        Assert.True(errors.TryGetProperty("claimChargedOn", out _));
    }

    [Fact]
    public async Task A_blocked_action_says_why_in_chinese()
    {
        var (merchant, _) = await world.MerchantAsync();
        var id = (await world.ChannelA.PostApiAsync("/api/v1/cases", new
        {
            type = "data-fee-cancellation", merchantId = merchant, description = "x", claimAmountFen = 100, claimChargedOn = "2026-06-01",
        }).CreatedAsync()).GetProperty("id").GetGuid();

        using var response = await world.ChannelA.PostApiAsync($"/api/v1/cases/{id}/actions/assess", language: "zh-CN");

        var problem = await response.ProblemAsync(422, "transition-not-allowed");
        Assert.Equal("当前流程不允许此操作", problem.GetProperty("title").GetString());
        Assert.Contains(problem.GetProperty("reasons").EnumerateArray(), r => r.GetProperty("text").GetString()!.Contains("当前状态", StringComparison.Ordinal));
    }
}
