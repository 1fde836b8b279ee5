using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Dapper;
using MediatR;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PosSupport.Core.Cases;
using PosSupport.Core.Data;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;
using PosSupport.Testing;

namespace PosSupport.Benchmarks;

/// <summary>
/// What our pipeline costs over plain Dapper: <see cref="AddNote"/> sent through IMediator (logging, validation, the
/// transaction behavior with SQLite's write gate, the handler, after-commit notification) against the same SQL
/// statements — read the case, bump its version, append the timeline event, commit — written by hand on one open
/// connection, on the same SQLite file (WAL; synchronous=FULL by hand, the product's group commit through the pipeline:
/// one fsync per commit either way) and the same case. The database is the demo data, written by
/// the host's <c>seed-demo</c> verb. AddNote fires no workflow trigger; the engine's own cost is EngineBenchmarks'.
/// </summary>
/// <remarks>
/// <see cref="Log"/> runs both sides twice: with the database on the disk (<c>disk</c>), where each commit waits for one
/// fsync and the ratio mostly measures how long the disk takes that day, and on a RAM file system (<c>tmpfs</c>, /dev/shm),
/// where an fsync returns at once and what is left is the CPU each side spends.
/// Short (3 warm-ups, 15 iterations: three were too few on a machine at load 60) and in-process: the two methods are compared side by side in one run, and building
/// a separate benchmark executable took over BenchmarkDotNet's two-minute build limit on the shared 2-core machine.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(InProcessShortJob))]
public class PipelineBenchmarks : IDisposable
{
    private const string Pragmas = "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    private TempDirectory _data = null!;
    private ServiceProvider _services = null!;
    private string _connectionString = "";
    private SqliteConnection _byHand = null!;
    private Guid _caseId;
    private Caller _agent = null!;

    /// <summary>Where the database lives: <c>disk</c> (the system's temporary directory) or <c>tmpfs</c> (/dev/shm: fsync costs nothing).</summary>
    [Params("disk", "tmpfs")]
    public string Log { get; set; } = "disk";

    [GlobalSetup]
    public void Setup()
    {
        _data = Log switch
        {
            "disk" => new TempDirectory(),
            "tmpfs" => Directory.Exists("/dev/shm") ? new TempDirectory("/dev/shm") : throw new InvalidOperationException("No /dev/shm on this machine."),
            _ => throw new InvalidOperationException($"Unknown log place '{Log}'."),
        };
        ServerProcess.RunVerbAsync(new ServerOptions("sqlite", null, _data.Path), ["seed-demo"]).GetAwaiter().GetResult();
        var loaded = WorkflowLoader.LoadDirectory(Path.Combine(AppContext.BaseDirectory, "workflows"));
        if (!loaded.Succeeded) throw new InvalidOperationException(string.Join(Environment.NewLine, loaded.Errors));

        var services = new ServiceCollection();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddPosSupportCore(new PosSupportOptions { DataDirectory = _data.Path }, loaded.Catalog);
        _services = services.BuildServiceProvider();
        _connectionString = _services.GetRequiredService<CaseDatabase>().ConnectionString;

        // The hand-written side keeps one open connection, as the product's SQLite writer does: the figure compares the
        // pipeline with the fastest plain code, not with a connection opened per call.
        _byHand = new SqliteConnection(_connectionString);
        _byHand.Open();
        _byHand.Execute(Pragmas);
        var connection = _byHand;
        _caseId = Guid.Parse(connection.QuerySingle<string>("SELECT id FROM cases WHERE state_kind <> 'final' ORDER BY number LIMIT 1"));
        _agent = Caller.Agent(Guid.Parse(connection.QuerySingle<string>("SELECT id FROM users WHERE role = 'agent' ORDER BY login LIMIT 1")));
    }

    [GlobalCleanup]
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    // Not sealed: BenchmarkDotNet derives from the benchmark class.
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing) return;
        _byHand?.Dispose();
        // The container holds CaseDatabase, which only disposes asynchronously (it flushes the log).
        _services?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        SqliteConnection.ClearAllPools();
        _data?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "AddNote: the same SQL by hand (Dapper)")]
    public async Task<long> ByHand()
    {
        var connection = _byHand;
        await using var transaction = await connection.BeginTransactionAsync();
        var record = await connection.QuerySingleOrDefaultAsync<CaseRecord>($"SELECT {CaseRecord.Columns} FROM cases WHERE id = @caseId", new { caseId = _caseId }, transaction)
                     ?? throw new InvalidOperationException("The case is gone.");
        var now = DateTimeOffset.UtcNow;
        var version = await connection.ExecuteScalarAsync<long>("UPDATE cases SET version = version + 1, updated_at = @now WHERE id = @id RETURNING version",
            new { id = record.Id, now }, transaction);
        await connection.ExecuteAsync("""
            INSERT INTO case_events (case_id, seq, kind, actor, actor_id, at, visibility, data)
            SELECT @caseId, COALESCE(MAX(seq), 0) + 1, @kind, @actor, @actorId, @at, @visibility, @data
              FROM case_events WHERE case_id = @caseId
            """, new
        {
            caseId = record.Id, kind = "note", actor = "agent", actorId = _agent.Id, at = now, visibility = "internal",
            data = JsonSerializer.Serialize(new { text = "已电话联系商户" }, Json),
        }, transaction);
        await transaction.CommitAsync();
        return version;
    }

    [Benchmark(Description = "AddNote: IMediator pipeline")]
    public async Task<long> ThroughPipeline()
    {
        await using var scope = _services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new AddNote.Command(_caseId, "已电话联系商户", _agent));
        return result.Version;
    }
}

public sealed class InProcessShortJob : ManualConfig
{
    public InProcessShortJob() => AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(15).WithToolchain(InProcessEmitToolchain.Instance));
}
