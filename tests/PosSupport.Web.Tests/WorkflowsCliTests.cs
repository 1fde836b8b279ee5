namespace PosSupport.Web.Tests;

public sealed class WorkflowsCliTests
{
    [Fact]
    public async Task Validate_accepts_the_shipped_workflows()
    {
        var result = await BuiltHost.RunAsync(["workflows", "validate"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("6 workflow(s) valid: data-fee-cancellation v1, data-fee-cancellation v2, device-replacement v1, device-replacement v2, " +
            "fee-rate-dispute v1, fee-rate-dispute v2", result.Output.Trim());
    }

    [Fact]
    public async Task Validate_reports_each_problem_as_a_file_path_message_line()
    {
        using var workflows = ShippedWorkflows.CopyWithUnknownInitialState("fee-rate-dispute");

        var result = await BuiltHost.RunAsync(["workflows", "validate", workflows.Path]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains(result.ErrorLines, line =>
            line.StartsWith("fee-rate-dispute.v1.json: $.initialState: ", StringComparison.Ordinal) && line.Contains("no-such-state"));
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task Validate_uses_the_configured_directory_when_none_is_given()
    {
        using var workflows = ShippedWorkflows.CopyWithUnknownInitialState("device-replacement");

        var result = await BuiltHost.RunAsync(["workflows", "validate"],
            new Dictionary<string, string> { ["PosSupport__Workflows__Directory"] = workflows.Path });

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains(result.ErrorLines, line => line.StartsWith("device-replacement.v1.json: $.initialState: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Diagram_prints_the_mermaid_state_diagram_of_the_newest_version()
    {
        var result = await BuiltHost.RunAsync(["workflows", "diagram", "data-fee-cancellation"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("stateDiagram", result.Output);
        Assert.Contains(ShippedWorkflows.Read("data-fee-cancellation").GetProperty("initialState").GetString()!, result.Output);
    }

    [Fact]
    public async Task Diagram_of_a_given_version_prints_that_version()
    {
        var result = await BuiltHost.RunAsync(["workflows", "diagram", "fee-rate-dispute", "--version", "1"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("stateDiagram", result.Output);
    }

    [Theory]
    [InlineData("no-such-workflow")]
    [InlineData("data-fee-cancellation", "--version", "99")]
    public async Task Diagram_of_an_unknown_workflow_or_version_fails_with_a_message(params string[] args)
    {
        var result = await BuiltHost.RunAsync(["workflows", "diagram", .. args]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains(args[0], result.Error);
        Assert.Empty(result.Output);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("workflows")]
    [InlineData("workflows", "publish")]
    [InlineData("workflows", "diagram")]
    [InlineData("workflows", "diagram", "fee-rate-dispute", "--version", "latest")]
    [InlineData("migrate", "now")]
    [InlineData("seed-demo", "--force")]
    public async Task Unknown_or_incomplete_command_prints_usage_and_exits_2(params string[] args)
    {
        var result = await BuiltHost.RunAsync(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("Usage:", result.Error);
        Assert.DoesNotContain("Now listening", result.Output);
    }

    [Fact]
    public async Task Help_prints_usage_and_exits_0()
    {
        var result = await BuiltHost.RunAsync(["--help"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("workflows validate [DIR]", result.Output);
        Assert.Contains("workflows diagram ID [--version N]", result.Output);
        Assert.Contains("PosSupport.Web migrate ", result.Output);
        Assert.Contains("PosSupport.Web seed-demo ", result.Output);
    }
}
