using PosSupport.Core.Data;
using PosSupport.Core.Demo;
using PosSupport.Core.Pipeline;
using PosSupport.Web.Hosting;

namespace PosSupport.Web.Cli;

/// <summary><c>migrate</c> and <c>seed-demo</c>: the database verbs, on the configured provider.</summary>
public static class CaseStoreCommands
{
    /// <summary>Applies the migrations the database has not had yet and lists them.</summary>
    public static async Task<int> MigrateAsync(IConfiguration configuration, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var options = PosSupportSettings.Read(configuration, error);
        if (options is null) return CommandLine.Failed;
        await using var database = new CaseDatabase(options);
        var where = PosSupportSettings.Describe(database);
        IReadOnlyList<string> applied;
        try
        {
            applied = Migrator.Migrate(database);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            error.WriteLine($"Could not migrate the {where}.");
            error.WriteLine(e.Message);
            return CommandLine.Failed;
        }
        if (applied.Count == 0)
        {
            output.WriteLine($"The {where} is up to date: no migration applied.");
            return CommandLine.Ok;
        }
        output.WriteLine($"Applied {applied.Count} migration(s) to the {where}:");
        foreach (var script in applied) output.WriteLine($"  {CaseStoreStartup.ScriptFile(script)}");
        return CommandLine.Ok;
    }

    /// <summary>Migrates, publishes the workflows and writes the demo data unless the database already holds it. Works on PostgreSQL too.</summary>
    public static async Task<int> SeedDemoAsync(IConfiguration configuration, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        await using var services = Build(configuration, error);
        if (services is null) return CommandLine.Failed;
        if (!await CaseStoreStartup.MigrateAndPublishAsync(services, error, CancellationToken.None)) return CommandLine.Failed;
        var where = PosSupportSettings.Describe(services.GetRequiredService<CaseDatabase>());

        var result = await DemoData.SeedAsync(services, CancellationToken.None);
        output.WriteLine(result.Seeded
            ? $"Seeded the demo data into the {where}: {result.Merchants} merchants, {result.Cases} cases."
            : $"The {where} already holds the demo data (seeded {result.SeededAt:yyyy-MM-dd HH:mm} UTC: {result.Merchants} merchants, " +
              $"{result.Cases} cases); nothing written.");
        return CommandLine.Ok;
    }

    /// <summary>The case store's services as the host has them, for verbs that send requests; null after writing why not.</summary>
    public static ServiceProvider? Build(IConfiguration configuration, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var workflowsDirectory = WorkflowsDirectory.From(configuration);
        var catalog = WorkflowStartup.Load(workflowsDirectory, error);
        var options = catalog is null ? null : PosSupportSettings.Read(configuration, error);
        var calendar = options is null ? null : CalendarStartup.Load(configuration, workflowsDirectory, error);
        if (catalog is null || options is null || calendar is null) return null;
        var services = new ServiceCollection();
        // Requests log as in the host, to nowhere: a verb prints its own lines.
        services.AddLogging();
        services.AddPosSupportCore(options, catalog, calendar);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }
}
