using Npgsql;
using PosSupport.Core.Data;

namespace PosSupport.Web.Hosting;

/// <summary>
/// Reads <see cref="PosSupportOptions"/> from the <c>PosSupport</c> section, with <c>ConnectionStrings:PosSupport</c> as the
/// database connection string. Both come from appsettings.json or environment variables (<c>PosSupport__Database__Provider</c>,
/// <c>ConnectionStrings__PosSupport</c>).
/// </summary>
public static class PosSupportSettings
{
    public const string ConnectionStringName = "PosSupport";

    /// <summary>The options, or null after writing every problem to <paramref name="error"/>.</summary>
    public static PosSupportOptions? Read(IConfiguration configuration, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(error);
        var options = new PosSupportOptions();
        try
        {
            configuration.GetSection(PosSupportOptions.Section).Bind(options);
            var connectionString = configuration.GetConnectionString(ConnectionStringName);
            if (!string.IsNullOrWhiteSpace(connectionString)) options.Database.ConnectionString = connectionString;
            options.Validate();
            return options;
        }
        catch (InvalidOperationException e)
        {
            error.WriteLine("PosSupport cannot start: the configuration is not valid.");
            error.WriteLine(e.Message);
            if (e.InnerException is { } inner) error.WriteLine(inner.Message);
            if (e.Message.Contains("Database:Provider", StringComparison.Ordinal))
                error.WriteLine("PosSupport:Database:Provider is sqlite (the default) or postgres.");
            return null;
        }
    }

    /// <summary>Where the data is, for messages: the SQLite file, or database, host and port (never the password).</summary>
    public static string Describe(CaseDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (database.Provider == DatabaseProvider.Sqlite)
            return $"SQLite database {new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.ConnectionString).DataSource}";
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        return $"PostgreSQL database '{builder.Database}' on {builder.Host}:{builder.Port}";
    }
}
