using System.Net;
using System.Net.Sockets;
using PosSupport.Core.Data;
using PosSupport.Web.Hosting;

namespace PosSupport.Web.Tests;

public sealed class CaseStoreCliTests
{
    private static Dictionary<string, string> DataIn(TemporaryDirectory data) => new() { ["PosSupport__DataDirectory"] = data.Path };

    [Fact]
    public async Task Migrate_applies_each_migration_once_and_lists_it_then_reports_the_database_up_to_date()
    {
        using var data = TemporaryDirectory.Create();

        var first = await BuiltHost.RunAsync(["migrate"], DataIn(data));
        var second = await BuiltHost.RunAsync(["migrate"], DataIn(data));

        Assert.True(first.ExitCode == 0, first.ToString());
        var scripts = Migrator.ScriptNames(DatabaseProvider.Sqlite).Select(CaseStoreStartup.ScriptFile).ToList();
        Assert.Equal([$"Applied {scripts.Count} migration(s) to the SQLite database {CaseStore.SqliteFile(data.Path)}:", .. scripts.Select(s => "  " + s)],
            first.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimEnd('\r')));
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal($"The SQLite database {CaseStore.SqliteFile(data.Path)} is up to date: no migration applied.", second.Output.Trim());
        Assert.Equal(0, await CaseStore.CountAsync(data.Path, "merchants"));
    }

    [Fact]
    public async Task Seed_demo_writes_the_demo_data_once_and_a_second_run_writes_nothing()
    {
        using var data = TemporaryDirectory.Create();

        var first = await BuiltHost.RunAsync(["seed-demo"], DataIn(data));
        var cases = await CaseStore.CountAsync(data.Path, "cases");
        var second = await BuiltHost.RunAsync(["seed-demo"], DataIn(data));

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal($"Seeded the demo data into the SQLite database {CaseStore.SqliteFile(data.Path)}: " +
                     $"{await CaseStore.CountAsync(data.Path, "merchants")} merchants, {cases} cases.", first.Output.Trim());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("already holds the demo data", second.Output, StringComparison.Ordinal);
        Assert.EndsWith("nothing written.", second.Output.Trim(), StringComparison.Ordinal);
        Assert.Equal(cases, await CaseStore.CountAsync(data.Path, "cases"));
        Assert.Equal(1, await CaseStore.CountAsync(data.Path, "demo_seeds"));
    }

    [Fact]
    public async Task Seed_demo_writes_the_demo_data_into_postgres_too_and_only_once()
    {
        using var data = TemporaryDirectory.Create();
        var database = PostgresDatabase.Create();

        var first = await BuiltHost.RunAsync(["seed-demo"], database.Environment(data.Path));
        var second = await BuiltHost.RunAsync(["seed-demo"], database.Environment(data.Path));

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.StartsWith($"Seeded the demo data into the PostgreSQL database '{database.Name}' on 127.0.0.1:", first.Output, StringComparison.Ordinal);
        Assert.InRange(await CaseStore.CountAsync(database, "merchants"), 45, 55);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("already holds the demo data", second.Output, StringComparison.Ordinal);
        Assert.Equal(1, await CaseStore.CountAsync(database, "demo_seeds"));
    }

    [Fact]
    public async Task Migrate_against_an_unreachable_postgres_fails_with_where_it_tried_and_never_the_password()
    {
        using var data = TemporaryDirectory.Create();
        var port = FreePort();

        var result = await BuiltHost.RunAsync(["migrate"], new Dictionary<string, string>
        {
            ["PosSupport__Database__Provider"] = "postgres", ["PosSupport__DataDirectory"] = data.Path,
            ["ConnectionStrings__PosSupport"] = $"Host=127.0.0.1;Port={port};Username=possupport;Password=s3cret-Pa55;Database=possupport;Timeout=5",
        });

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"Could not migrate the PostgreSQL database 'possupport' on 127.0.0.1:{port}.", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-Pa55", result.Output + result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("oracle", "ConnectionStrings__PosSupport", "Host=db", "sqlite (the default) or postgres")]
    [InlineData("postgres", "Unused", "", "ConnectionStrings:PosSupport must be set")]
    public async Task A_database_setting_that_cannot_work_is_refused_with_what_to_set(string provider, string name, string value, string message)
    {
        using var data = TemporaryDirectory.Create();

        var result = await BuiltHost.RunAsync(["migrate"], new Dictionary<string, string>
        {
            ["PosSupport__Database__Provider"] = provider, ["PosSupport__DataDirectory"] = data.Path, [name] = value,
        });

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(CaseStore.SqliteFile(data.Path)));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
