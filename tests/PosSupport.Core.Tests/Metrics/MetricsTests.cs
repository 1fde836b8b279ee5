using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using PosSupport.Core.Cases;
using PosSupport.Core.FollowUps;
using PosSupport.Core.Metrics;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.Metrics;

/// <summary>What the <c>PosSupport</c> meter of one fixture's services records, as a listener (an exporter, dotnet-counters) sees it.</summary>
public sealed class RecordedMeasurements : IDisposable
{
    private readonly MeterListener _listener = new();

    public RecordedMeasurements(IServiceProvider services)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PosSupportMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument.Name, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument.Name, value, tags));
        _listener.Start();
        // Instruments are created with the singleton: make sure it exists, then it is published to the listener.
        services.GetRequiredService<PosSupportMetrics>();
    }

    public ConcurrentQueue<(string Instrument, double Value, IReadOnlyDictionary<string, string?> Tags)> All { get; } = new();

    public IReadOnlyList<IReadOnlyDictionary<string, string?>> Of(string instrument) =>
        All.Where(m => m.Instrument == instrument).Select(m => m.Tags).ToList();

    private void Add(string instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, tag) in tags) copy[key] = tag?.ToString();
        All.Enqueue((instrument, value, copy));
    }

    public void Dispose() => _listener.Dispose();
}

public abstract class MetricsTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;

    [Fact]
    public async Task A_command_refused_by_validation_is_counted_with_result_validation_and_timed()
    {
        using var recorded = new RecordedMeasurements(Fixture.Services);

        await Assert.ThrowsAsync<ValidationFailedException>(() => Fixture.SendAsync(new FireFollowUp.Command(Guid.Empty)));

        var counted = Assert.Single(recorded.Of("possupport.commands"));
        Assert.Equal("FireFollowUp.Command", counted["kind"]);
        Assert.Equal("validation", counted["result"]);
        var timed = Assert.Single(recorded.Of("possupport.command.duration"));
        Assert.Equal("validation", timed["result"]);
    }

    [Fact]
    public async Task Commands_are_counted_by_result_and_queries_are_not_counted()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync();
        var agent = Caller.Agent(await Fixture.UserAsync());
        using var recorded = new RecordedMeasurements(Fixture.Services);

        await Fixture.SendAsync(new GetCase.Query(opened.Id, agent));
        await Assert.ThrowsAsync<TransitionNotAllowedException>(() =>
            Fixture.SendAsync(new FireTrigger.Command(opened.Id, "evidence-timed-out", new Dictionary<string, string>(), agent)));
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            Fixture.SendAsync(new FireTrigger.Command(opened.Id, "escalate", new Dictionary<string, string>(), agent, ExpectedVersion: 999)));
        await Assert.ThrowsAsync<NotFoundException>(() =>
            Fixture.SendAsync(new FireTrigger.Command(Guid.NewGuid(), "escalate", new Dictionary<string, string>(), agent)));

        var counted = recorded.Of("possupport.commands").Select(t => (t["kind"], t["result"])).ToList();
        Assert.Equal(
            [("FireTrigger.Command", "transition-not-allowed"), ("FireTrigger.Command", "concurrency"), ("FireTrigger.Command", "not-found")],
            counted);
    }

    [Fact]
    public async Task A_committed_transition_is_counted_by_workflow_states_and_trigger_without_case_data()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync();
        var agent = Caller.Agent(await Fixture.UserAsync());
        using var recorded = new RecordedMeasurements(Fixture.Services);

        await Fixture.SendAsync(new FireTrigger.Command(opened.Id, "escalate", new Dictionary<string, string> { ["reason"] = "13812345678 投诉" }, agent));

        var transition = Assert.Single(recorded.Of("possupport.workflow.transitions"));
        Assert.Equal(new Dictionary<string, string?>
        {
            ["workflow"] = "data-fee-cancellation", ["from"] = "collecting-evidence", ["to"] = "escalated", ["trigger"] = "escalate",
        }, transition);
        Assert.Contains(("FireTrigger.Command", "ok"), recorded.Of("possupport.commands").Select(t => (t["kind"], t["result"])));
        Assert.DoesNotContain(recorded.All, m => m.Tags.Values.Any(v => v is not null && (v.Contains("13812345678", StringComparison.Ordinal)
                                                                                          || v.Contains(opened.Number, StringComparison.Ordinal))));
    }
}

public sealed class MetricsOnSqlite(SqliteSliceFixture fixture) : MetricsTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>
{
    [Fact]
    public async Task Each_write_transaction_records_how_long_it_held_the_single_sqlite_writer()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync();
        var agent = Caller.Agent(await Fixture.UserAsync());
        using var recorded = new RecordedMeasurements(Fixture.Services);

        await Fixture.SendAsync(new GetCase.Query(opened.Id, agent));
        await Fixture.SendAsync(new FireTrigger.Command(opened.Id, "escalate", new Dictionary<string, string> { ["reason"] = "merchant called twice" }, agent));

        // The query took no turn; the command's transaction did (arming its follow-ups may take one more).
        var held = recorded.All.Where(m => m.Instrument == "possupport.sqlite.writer.held").ToList();
        Assert.NotEmpty(held);
        Assert.All(held, m => Assert.True(m.Value >= 0 && m.Tags.Count == 0));
    }
}

public sealed class MetricsOnPostgres(PostgresSliceFixture fixture) : MetricsTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>
{
    [Fact]
    public async Task PostgreSQL_writes_do_not_take_turns_so_no_writer_time_is_recorded()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync();
        var agent = Caller.Agent(await Fixture.UserAsync());
        using var recorded = new RecordedMeasurements(Fixture.Services);

        await Fixture.SendAsync(new FireTrigger.Command(opened.Id, "escalate", new Dictionary<string, string> { ["reason"] = "merchant called twice" }, agent));

        Assert.Contains(("FireTrigger.Command", "ok"), recorded.Of("possupport.commands").Select(t => (t["kind"], t["result"])));
        Assert.Empty(recorded.Of("possupport.sqlite.writer.held"));
    }
}
