using Dapper;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PosSupport.Core.Data;
using PosSupport.Core.FollowUps;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Workflows;

namespace PosSupport.Core.Tests.Support;

/// <summary>
/// A real database of one provider, migrated and with the shipped workflows published, behind the real
/// pipeline. Slice tests send requests through <see cref="SendAsync{T}"/> exactly as the host does.
/// One fixture per test class: each class gets its own database.
/// </summary>
public abstract class SliceFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

    private ServiceProvider? _services;

    public FakeTimeProvider Clock { get; } = new(Start);
    public CapturedLogs Logs { get; } = new();
    public RecordingScheduler Scheduler { get; } = new();
    public abstract DatabaseProvider Provider { get; }
    public PosSupportOptions Options { get; private set; } = new();
    public IServiceProvider Services => _services ?? throw new InvalidOperationException("The fixture is not initialised.");
    public CaseDatabase Database => Services.GetRequiredService<CaseDatabase>();

    protected abstract PosSupportOptions CreateOptions();

    public async Task InitializeAsync()
    {
        Options = CreateOptions();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(Logs));
        services.AddSingleton<TimeProvider>(Clock);
        services.AddSingleton<IFollowUpScheduler>(Scheduler);
        services.AddPosSupportCore(Options, RandomCases.ShippedWorkflows, FollowUps.China2026.Calendar);
        // A test-only command that fails after writing (Slices/UnitOfWorkTests.cs).
        services.AddScoped<IRequestHandler<Slices.WriteThenFail.Command, Unit>, Slices.WriteThenFail.Handler>();
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        Migrator.Migrate(Database);
        await WorkflowPublication.PublishAsync(Database, RandomCases.ShippedWorkflows, Clock, CancellationToken.None);
    }

    /// <summary>
    /// Runs every follow-up job due at the fake time, as Hangfire's workers would, until none is due (a job may arm
    /// another that is due at once); returns what each run did. Each round starts with the every-minute sweep, which
    /// arms the rows that were written further ahead than <see cref="FollowUpArming.Reach"/>.
    /// </summary>
    public async Task<IReadOnlyList<FireFollowUp.Result>> RunDueFollowUpsAsync()
    {
        var results = new List<FireFollowUp.Result>();
        for (var round = 0; round < 100; round++)
        {
            await SendAsync(new SweepFollowUps.Command());
            var due = Scheduler.TakeDue(Clock.GetUtcNow());
            if (due.Count == 0) return results;
            // As the web host's job does: every row the job names, one at a time here so results come in order.
            foreach (var (job, followUpId) in due)
                results.AddRange(await Services.GetRequiredService<FollowUpJobRunner>().RunAsync(followUpId, job, parallelism: 1, CancellationToken.None));
        }
        throw new InvalidOperationException("Follow-ups kept arming jobs due at once: a loop.");
    }

    /// <summary>The live jobs a follow-up row counts on: those scheduled for it, and the shared one its job_id names.</summary>
    public async Task<IReadOnlyList<string>> JobsOfAsync(Guid followUpId)
    {
        var named = await WithConnectionAsync(c => c.ExecuteScalarAsync<string?>("SELECT job_id FROM follow_ups WHERE id = @followUpId", new { followUpId }));
        var jobs = Scheduler.JobsOf(followUpId).ToList();
        if (named is not null && Scheduler.IsLive(named) && !jobs.Contains(named)) jobs.Add(named);
        return jobs;
    }

    public async Task<T> SendAsync<T>(IRequest<T> request)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request);
    }

    /// <summary>Runs SQL (test set-up and assertions) on its own connection, outside any request.</summary>
    public async Task<T> WithConnectionAsync<T>(Func<System.Data.Common.DbConnection, Task<T>> work)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        return await work(connection);
    }

    public async Task DisposeAsync()
    {
        if (_services is not null) await _services.DisposeAsync();
    }
}

public sealed class SqliteSliceFixture : SliceFixture
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("possupport-sqlite-");

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override PosSupportOptions CreateOptions() => new() { DataDirectory = _directory.FullName };
}

public sealed class PostgresSliceFixture : SliceFixture
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    protected override PosSupportOptions CreateOptions() => new()
    {
        DataDirectory = Directory.CreateTempSubdirectory("possupport-pgdata-").FullName,
        Database = new DatabaseOptions { Provider = DatabaseProvider.Postgres, ConnectionString = PostgresServer.Instance.CreateDatabase("slices") },
    };
}
