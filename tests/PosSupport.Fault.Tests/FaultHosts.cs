using PosSupport.Testing;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace PosSupport.Fault.Tests;

/// <summary>Every test that starts hosts runs in this one collection: one scenario at a time on a 2-core machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultHosts
{
    public const string Name = "fault hosts";

    /// <summary>Generous: hosts start slowly on a shared CI machine. Nothing here measures time.</summary>
    public static CancellationToken Timeout(int minutes = 5) => new CancellationTokenSource(TimeSpan.FromMinutes(minutes)).Token;

    public static string Explain(IEnumerable<string> problems) => string.Join(Environment.NewLine, problems.Take(30));
}

/// <summary>One running host with the demo data and an agent key, shared by the conflict and idempotency tests of a provider.</summary>
public abstract class RunningHost(string provider) : IAsyncLifetime
{
    public FaultEnvironment Environment { get; private set; } = null!;

    public ServerProcess Host { get; private set; } = null!;

    public string AgentKey { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Environment = await FaultEnvironment.CreateAsync(provider, TimeSpan.FromHours(1), FaultHosts.Timeout());
        AgentKey = await Environment.CreateKeyAsync("fault-crm", "agent", cancellationToken: FaultHosts.Timeout());
        Host = await Environment.StartAsync(cancellationToken: FaultHosts.Timeout());
    }

    public async Task DisposeAsync()
    {
        if (Host is not null) await Host.DisposeAsync();
        Environment?.Dispose();
    }
}

public sealed class SqliteHost() : RunningHost("sqlite");

public sealed class PostgresHost() : RunningHost("postgres");
