using PosSupport.Core.Workflows;

namespace PosSupport.Web.Tests;

public sealed class StartupTests
{
    [Fact]
    public async Task Host_refuses_to_start_when_a_workflow_file_is_broken()
    {
        using var workflows = ShippedWorkflows.CopyWithUnknownInitialState("data-fee-cancellation");
        var expected = WorkflowLoader.LoadDirectory(workflows.Path).Errors;

        var result = await BuiltHost.RunAsync(["--urls", "http://127.0.0.1:0"],
            new Dictionary<string, string> { ["PosSupport__Workflows__Directory"] = workflows.Path });

        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.NotEmpty(expected);
        Assert.Contains("data-fee-cancellation.v1.json", result.Error);
        foreach (var error in expected) Assert.Contains(error.ToString(), result.ErrorLines);
        Assert.DoesNotContain("Now listening", result.Output);
    }

    [Fact]
    public async Task Host_refuses_to_start_when_the_workflows_directory_does_not_exist()
    {
        var missing = Path.Combine(Path.GetTempPath(), "possupport-missing-" + Guid.NewGuid().ToString("N"));

        var result = await BuiltHost.RunAsync(["--urls", "http://127.0.0.1:0"],
            new Dictionary<string, string> { ["PosSupport__Workflows__Directory"] = missing });

        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Contains(missing, result.Error);
        Assert.DoesNotContain("Now listening", result.Output);
    }
}
