using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using PosSupport.Core.Data;

namespace PosSupport.Web.Tests;

public sealed class CaseStoreHostTests
{
    private static async Task<JsonElement> HealthAsync(HttpClient client, HttpStatusCode expected)
    {
        using var response = await client.GetAsync("/health");
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task First_start_on_an_empty_data_directory_creates_the_sqlite_file_migrates_seeds_and_reports_the_database_ok()
    {
        using var data = TemporaryDirectory.Create();

        using (var host = ApiHost.On(data.Path))
        {
            var health = await HealthAsync(host.Client, HttpStatusCode.OK);
            Assert.Equal("healthy", health.GetProperty("status").GetString());
            Assert.Equal("sqlite", health.GetProperty("database").GetProperty("provider").GetString());
            Assert.Equal("ok", health.GetProperty("database").GetProperty("status").GetString());
        }

        Assert.True(File.Exists(CaseStore.SqliteFile(data.Path)));
        Assert.Equal(Migrator.ScriptNames(DatabaseProvider.Sqlite), await CaseStore.AppliedScriptsAsync(data.Path));
        Assert.Equal(ShippedWorkflows.DefinitionCount, await CaseStore.CountAsync(data.Path, "workflow_definitions"));
        Assert.InRange(await CaseStore.CountAsync(data.Path, "merchants"), 45, 55);
        Assert.InRange(await CaseStore.CountAsync(data.Path, "cases"), 60, 100);
        Assert.Equal(1, await CaseStore.CountAsync(data.Path, "demo_seeds"));
    }

    [Fact]
    public async Task A_second_start_on_the_same_data_directory_seeds_nothing_more()
    {
        using var data = TemporaryDirectory.Create();
        using (ApiHost.On(data.Path))
        {
        }
        var cases = await CaseStore.CountAsync(data.Path, "cases");
        var events = await CaseStore.CountAsync(data.Path, "case_events");

        using (var again = ApiHost.On(data.Path))
            await HealthAsync(again.Client, HttpStatusCode.OK);

        Assert.Equal(cases, await CaseStore.CountAsync(data.Path, "cases"));
        Assert.Equal(events, await CaseStore.CountAsync(data.Path, "case_events"));
        Assert.Equal(1, await CaseStore.CountAsync(data.Path, "demo_seeds"));
    }

    [Fact]
    public async Task With_demo_data_turned_off_an_empty_embedded_database_starts_empty()
    {
        using var data = TemporaryDirectory.Create();

        using (var host = ApiHost.On(data.Path, new Dictionary<string, string> { ["PosSupport:SeedDemoData"] = "false" }))
            await HealthAsync(host.Client, HttpStatusCode.OK);

        Assert.Equal(ShippedWorkflows.DefinitionCount, await CaseStore.CountAsync(data.Path, "workflow_definitions"));
        Assert.Equal(0, await CaseStore.CountAsync(data.Path, "merchants"));
        Assert.Equal(0, await CaseStore.CountAsync(data.Path, "demo_seeds"));
    }

    [Fact]
    public async Task An_embedded_database_that_already_holds_merchants_is_not_seeded()
    {
        using var data = TemporaryDirectory.Create();
        var environment = new Dictionary<string, string> { ["PosSupport__DataDirectory"] = data.Path };
        Assert.Equal(0, (await BuiltHost.RunAsync(["migrate"], environment)).ExitCode);
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={CaseStore.SqliteFile(data.Path)};Pooling=False"))
            await Dapper.SqlMapper.ExecuteAsync(connection, """
                INSERT INTO merchants (id, name, licence_number, mcc, category, phone, created_at)
                VALUES ('6f1c1a52-7a43-4f41-9d55-0c7b0d7a1e01', '自家小店', '92440305MA5FWK3T0X', '5499', 'supermarket', '13800000000', '2026-01-01T00:00:00.0000000Z')
                """);

        using (var host = ApiHost.On(data.Path))
            await HealthAsync(host.Client, HttpStatusCode.OK);

        Assert.Equal(1, await CaseStore.CountAsync(data.Path, "merchants"));
        Assert.Equal(0, await CaseStore.CountAsync(data.Path, "demo_seeds"));
    }

    [Fact]
    public async Task Host_on_postgres_set_by_environment_variables_serves_health_ok_migrated_and_unseeded()
    {
        using var data = TemporaryDirectory.Create();
        var database = PostgresDatabase.Create();

        await using (var host = await HostProcess.StartAsync(database.Environment(data.Path)))
        {
            var health = await HealthAsync(host.Client, HttpStatusCode.OK);
            Assert.Equal("postgres", health.GetProperty("database").GetProperty("provider").GetString());
            Assert.Equal("ok", health.GetProperty("database").GetProperty("status").GetString());
            Assert.Contains($"PostgreSQL database '{database.Name}' on 127.0.0.1:", host.Output, StringComparison.Ordinal);
        }

        Assert.Equal(Migrator.ScriptNames(DatabaseProvider.Postgres).Count, await CaseStore.CountAsync(database, "schemaversions"));
        Assert.Equal(ShippedWorkflows.DefinitionCount, await CaseStore.CountAsync(database, "workflow_definitions"));
        Assert.Equal(0, await CaseStore.CountAsync(database, "merchants"));
        Assert.False(File.Exists(CaseStore.SqliteFile(data.Path)));
    }

    [Fact]
    public async Task Health_answers_503_naming_the_database_unreachable_when_postgres_goes_away()
    {
        using var data = TemporaryDirectory.Create();
        var database = PostgresDatabase.Create();
        await using var host = await HostProcess.StartAsync(database.Environment(data.Path));
        await HealthAsync(host.Client, HttpStatusCode.OK);

        await database.DropAsync();

        var health = await HealthAsync(host.Client, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("unhealthy", health.GetProperty("status").GetString());
        Assert.Equal("postgres", health.GetProperty("database").GetProperty("provider").GetString());
        Assert.Equal("unreachable", health.GetProperty("database").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Host_refuses_to_start_when_a_published_workflow_changed_without_a_new_version_naming_the_file()
    {
        using var data = TemporaryDirectory.Create();
        using var workflows = TemporaryDirectory.Create();
        foreach (var file in Directory.EnumerateFiles(ShippedWorkflows.Directory, "*.json"))
            File.Copy(file, Path.Combine(workflows.Path, Path.GetFileName(file)));
        var settings = new Dictionary<string, string> { ["PosSupport:Workflows:Directory"] = workflows.Path };
        using (ApiHost.On(data.Path, settings))
        {
        }
        var changed = Path.Combine(workflows.Path, "fee-rate-dispute.v1.json");
        var root = JsonNode.Parse(File.ReadAllText(changed))!;
        root["title"]!["en"] = "Card fee-rate dispute";
        File.WriteAllText(changed, root.ToJsonString());

        var result = await BuiltHost.RunAsync(["--urls", "http://127.0.0.1:0"], new Dictionary<string, string>
        {
            ["PosSupport__DataDirectory"] = data.Path, ["PosSupport__Workflows__Directory"] = workflows.Path,
        });

        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Contains(result.ErrorLines, line => line.StartsWith("fee-rate-dispute.v1.json: ", StringComparison.Ordinal) && line.Contains("version 1 was published with other content"));
        Assert.DoesNotContain("Now listening", result.Output);
    }
}
