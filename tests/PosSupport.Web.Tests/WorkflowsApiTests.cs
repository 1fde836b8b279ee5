using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace PosSupport.Web.Tests;

[Collection(SharedApiHost.Name)]
public sealed class WorkflowsApiTests(ApiHost host)
{
    [Fact]
    public async Task Workflows_lists_every_shipped_workflow_with_english_and_chinese_titles()
    {
        var workflows = await host.Client.GetFromJsonAsync<JsonElement>("/api/v1/workflows");

        Assert.Equal(ShippedWorkflows.Ids.SelectMany(id => Enumerable.Range(1, ShippedWorkflows.NewestVersion).Select(v => $"{id} v{v}")),
            workflows.EnumerateArray().Select(w => $"{w.GetProperty("id").GetString()} v{w.GetProperty("version").GetInt32()}"));
        foreach (var workflow in workflows.EnumerateArray())
        {
            var file = ShippedWorkflows.Read(workflow.GetProperty("id").GetString()!, workflow.GetProperty("version").GetInt32());
            Assert.Equal(file.GetProperty("title").GetProperty("en").GetString(), workflow.GetProperty("title").GetProperty("en").GetString());
            Assert.Equal(file.GetProperty("title").GetProperty("zh-CN").GetString(), workflow.GetProperty("title").GetProperty("zh-CN").GetString());
        }
        var titles = workflows.EnumerateArray().DistinctBy(w => w.GetProperty("id").GetString()).ToDictionary(w => w.GetProperty("id").GetString()!, w => w.GetProperty("title").GetProperty("zh-CN").GetString()!);
        Assert.Contains("流量费", titles["data-fee-cancellation"]);
        Assert.Contains("换机", titles["device-replacement"]);
    }

    [Fact]
    public async Task Every_workflow_carries_its_mermaid_diagram_hash_and_initial_state()
    {
        var workflows = await host.Client.GetFromJsonAsync<JsonElement>("/api/v1/workflows");

        foreach (var workflow in workflows.EnumerateArray())
        {
            var file = ShippedWorkflows.Read(workflow.GetProperty("id").GetString()!, workflow.GetProperty("version").GetInt32());
            Assert.StartsWith("stateDiagram", workflow.GetProperty("diagram").GetString());
            Assert.Matches("^[0-9a-f]{64}$", workflow.GetProperty("sha256").GetString());
            Assert.Equal(file.GetProperty("initialState").GetString(), workflow.GetProperty("initialState").GetString());
            Assert.Equal(file.GetProperty("caseNumberPrefix").GetString(), workflow.GetProperty("caseNumberPrefix").GetString());
            Assert.Equal(file.GetProperty("version").GetInt32(), workflow.GetProperty("version").GetInt32());
        }
    }

    [Fact]
    public async Task States_and_transitions_are_spelled_as_in_the_workflow_file()
    {
        var workflow = await host.Client.GetFromJsonAsync<JsonElement>("/api/v1/workflows/data-fee-cancellation");
        var file = ShippedWorkflows.Read("data-fee-cancellation");

        var states = workflow.GetProperty("states").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
        Assert.Equal(file.GetProperty("states").EnumerateObject().Select(s => s.Name), states.Keys);
        foreach (var fileState in file.GetProperty("states").EnumerateObject())
        {
            var state = states[fileState.Name];
            Assert.Equal(fileState.Value.GetProperty("kind").GetString(), state.GetProperty("kind").GetString());
            Assert.Equal(fileState.Value.GetProperty("title").GetProperty("zh-CN").GetString(), state.GetProperty("title").GetProperty("zh-CN").GetString());
            if (!fileState.Value.TryGetProperty("transitions", out var fileTransitions)) continue;

            var transitions = state.GetProperty("transitions").EnumerateArray().ToList();
            foreach (var fileTransition in fileTransitions.EnumerateArray())
            {
                var trigger = fileTransition.GetProperty("trigger").GetString();
                var to = fileTransition.GetProperty("to").GetString();
                var transition = Assert.Single(transitions, t =>
                    t.GetProperty("trigger").GetString() == trigger && t.GetProperty("to").GetString() == to
                    && Strings(t, "when").SequenceEqual(Strings(fileTransition, "when")));
                Assert.Equal(Strings(fileTransition, "by"), Strings(transition, "by"));
                Assert.Equal(fileTransition.TryGetProperty("outcome", out var outcome) ? outcome.GetString() : null,
                    transition.GetProperty("outcome").GetString());
            }
        }
        Assert.True(workflow.GetProperty("outcomes").EnumerateObject().Any(), "outcomes are listed with their titles");
    }

    [Fact]
    public async Task Workflow_by_id_serves_the_newest_version()
    {
        using var response = await host.Client.GetAsync("/api/v1/workflows/fee-rate-dispute");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var workflow = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("fee-rate-dispute", workflow.GetProperty("id").GetString());
        Assert.Equal(ShippedWorkflows.NewestVersion, workflow.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Workflow_version_is_served_by_id_and_version()
    {
        var workflow = await host.Client.GetFromJsonAsync<JsonElement>("/api/v1/workflows/device-replacement/versions/1");

        Assert.Equal("device-replacement", workflow.GetProperty("id").GetString());
        Assert.Equal("机具故障换机", workflow.GetProperty("title").GetProperty("zh-CN").GetString());
    }

    [Theory]
    [InlineData("/api/v1/workflows/no-such-workflow", "no-such-workflow")]
    [InlineData("/api/v1/workflows/no-such-workflow/versions/1", "no-such-workflow")]
    [InlineData("/api/v1/workflows/data-fee-cancellation/versions/99", "99")]
    public async Task Unknown_workflow_or_version_is_a_404_problem_document(string path, string named)
    {
        using var response = await host.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.Equal("Workflow not found", problem.GetProperty("title").GetString());
        Assert.Contains(named, problem.GetProperty("detail").GetString());
    }

    private static string[] Strings(JsonElement element, string property) =>
        element.TryGetProperty(property, out var array) ? array.EnumerateArray().Select(e => e.GetString()!).ToArray() : [];
}
