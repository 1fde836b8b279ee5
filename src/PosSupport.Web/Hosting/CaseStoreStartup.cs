using System.Data.Common;
using System.Net.Sockets;
using PosSupport.Core.Data;
using PosSupport.Core.Demo;
using PosSupport.Core.Workflows;

namespace PosSupport.Web.Hosting;

/// <summary>
/// Gets the case store ready before the host listens: applies the migrations, publishes the workflow definitions (a
/// published version whose file changed refuses to start, naming the file), and on the first start of an empty embedded
/// (SQLite) database seeds the demo data. A database on PostgreSQL is never seeded by itself: use <c>seed-demo</c>.
/// </summary>
public static partial class CaseStoreStartup
{
    /// <summary>True when the store is ready; false after writing why not to <paramref name="error"/>.</summary>
    public static async Task<bool> PrepareAsync(IServiceProvider services, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(error);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("PosSupport.Startup");
        var database = services.GetRequiredService<CaseDatabase>();
        var where = PosSupportSettings.Describe(database);

        if (!await MigrateAndPublishAsync(services, error, cancellationToken).ConfigureAwait(false)) return false;
        var options = services.GetRequiredService<PosSupportOptions>();
        if (!options.SeedDemoData || database.Provider != DatabaseProvider.Sqlite
            || !await DemoData.IsEmptyAsync(database, cancellationToken).ConfigureAwait(false))
        {
            Ready(logger, where);
        }
        else
        {
            var seeded = await DemoData.SeedAsync(services, cancellationToken).ConfigureAwait(false);
            DemoSeeded(logger, seeded.Merchants, seeded.Cases, where);
        }
        // The demo's sign-in is repeated at every start, so whoever runs it finds it in the log.
        if (await DemoData.IsSeededAsync(database, cancellationToken).ConfigureAwait(false))
            DemoSignIn(logger, string.Join(", ", DemoData.SignInLogins), DemoData.Password);
        return true;
    }

    /// <summary>Migrates and publishes the workflows (what every verb that touches cases needs first); false after writing why not.</summary>
    public static async Task<bool> MigrateAndPublishAsync(IServiceProvider services, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(error);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("PosSupport.Startup");
        var database = services.GetRequiredService<CaseDatabase>();
        var where = PosSupportSettings.Describe(database);
        try
        {
            var applied = Migrator.Migrate(database);
            if (applied.Count > 0)
            {
                var scripts = string.Join(", ", applied.Select(ScriptFile));
                Migrated(logger, where, applied.Count, scripts);
            }
            await WorkflowPublication.PublishAsync(database, services.GetRequiredService<WorkflowCatalog>(), services.GetRequiredService<TimeProvider>(),
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (WorkflowChangedException e)
        {
            error.WriteLine($"PosSupport cannot start: {e.Problems.Count} published workflow version(s) changed.");
            foreach (var problem in e.Problems) error.WriteLine(problem);
            return false;
        }
        catch (Exception e) when (e is DbException or SocketException or TimeoutException or IOException or InvalidOperationException)
        {
            error.WriteLine($"PosSupport cannot start: the {where} could not be prepared.");
            error.WriteLine(e.Message);
            return false;
        }
    }

    /// <summary><c>PosSupport.Core.Migrations.sqlite.0001_case_store.sql</c> → <c>0001_case_store.sql</c>.</summary>
    public static string ScriptFile(string scriptName)
    {
        ArgumentNullException.ThrowIfNull(scriptName);
        var provider = scriptName.IndexOf(".Migrations.", StringComparison.Ordinal);
        if (provider < 0) return scriptName;
        var rest = scriptName[(provider + ".Migrations.".Length)..];
        return rest[(rest.IndexOf('.', StringComparison.Ordinal) + 1)..];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Migrated the {Database}: {Count} script(s) applied ({Scripts})")]
    private static partial void Migrated(ILogger logger, string database, int count, string scripts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Case store ready: {Database}")]
    private static partial void Ready(ILogger logger, string database);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo data: sign in to the dashboard as {Logins} with the demo password '{Password}'. Not for production.")]
    private static partial void DemoSignIn(ILogger logger, string logins, string password);

    [LoggerMessage(Level = LogLevel.Information, Message = "First start of an empty database: seeded the demo data ({Merchants} merchants, {Cases} cases) into the {Database}")]
    private static partial void DemoSeeded(ILogger logger, int merchants, int cases, string database);
}
