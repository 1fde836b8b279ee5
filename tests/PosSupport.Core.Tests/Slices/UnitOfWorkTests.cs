using MediatR;
using Microsoft.Extensions.DependencyInjection;
using PosSupport.Core.Cases;
using PosSupport.Core.Channels;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.Slices;

/// <summary>
/// A command that writes to the case (a merchant-visible message, so it also has a webhook delivery) and then fails with
/// an SQL error and a refusal: what a command refused half-way looks like to the unit it runs in. Test-only; registered by
/// <see cref="SliceFixture"/>.
/// </summary>
public static class WriteThenFail
{
    public sealed record Command(Guid CaseId) : ICommand<Unit>;

    public sealed class Handler(CaseStore store) : IRequestHandler<Command, Unit>
    {
        public async Task<Unit> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            var record = await store.LoadAsync(request.CaseId, cancellationToken);
            await store.BumpAsync(record, null, cancellationToken);
            await store.AppendEventAsync(record.Id, "message", Caller.Agent(Guid.NewGuid()), merchantVisible: true, new { text = "never sent" }, cancellationToken);
            store.Session.PublishAfterCommit(CaseChanged.Of(record));
            // On PostgreSQL a failed statement spoils the whole transaction unless it is rolled back to a savepoint.
            try
            {
                await store.Session.ExecuteAsync("INSERT INTO case_events (case_id) VALUES (NULL)", null, cancellationToken);
            }
            catch (System.Data.Common.DbException)
            {
                throw new ConflictException("Refused after writing.");
            }
            throw new InvalidOperationException("The failing statement succeeded.");
        }
    }
}

public abstract class UnitOfWorkTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;
    private static readonly Caller Agent = Caller.Agent(Guid.NewGuid());

    private Task<List<string>> TimelineAsync(Guid caseId) =>
        Fixture.QueryAsync<string>("SELECT kind FROM case_events WHERE case_id = @caseId ORDER BY seq", new { caseId });

    private Task<long> DeliveriesAsync(Guid caseId) =>
        Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM webhook_deliveries WHERE case_id = @caseId", new { caseId });

    [Fact]
    public async Task A_command_refused_half_way_in_a_guarded_unit_is_undone_alone_and_the_rest_commits()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync(webhookUrl: "https://hooks.example.com/unit");
        var before = await TimelineAsync(opened.Id);
        var deliveriesBefore = await DeliveriesAsync(opened.Id);

        await using (var scope = Fixture.Services.CreateAsyncScope())
        {
            var unit = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
            var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
            await unit.BeginAsync(guardEachCommand: true, CancellationToken.None);
            await mediator.Send(new AddNote.Command(opened.Id, "first", Agent));
            await Assert.ThrowsAsync<ConflictException>(() => mediator.Send(new WriteThenFail.Command(opened.Id)));
            await mediator.Send(new AddMessage.Command(opened.Id, "我们已收到您的材料", Agent));
            await unit.CommitAsync(CancellationToken.None);
        }

        Assert.Equal([.. before, "note", "message"], await TimelineAsync(opened.Id));
        Assert.Equal(opened.Version + 2, await Fixture.VersionAsync(opened.Id));
        await Fixture.AssertTimelineContiguousAsync(opened.Id);
        // The kept message has its delivery, written with it; the undone one has none.
        Assert.Equal(deliveriesBefore + 1, await DeliveriesAsync(opened.Id));
    }

    [Fact]
    public async Task A_unit_rolled_back_keeps_nothing_of_its_commands_nor_their_webhook_deliveries()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync(webhookUrl: "https://hooks.example.com/unit");
        var before = await TimelineAsync(opened.Id);
        var deliveriesBefore = await DeliveriesAsync(opened.Id);

        await using (var scope = Fixture.Services.CreateAsyncScope())
        {
            var unit = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
            var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
            await unit.BeginAsync(guardEachCommand: true, CancellationToken.None);
            await mediator.Send(new AddMessage.Command(opened.Id, "这条不会发出", Agent));
            await unit.RollbackAsync();
        }

        Assert.Equal(before, await TimelineAsync(opened.Id));
        Assert.Equal(opened.Version, await Fixture.VersionAsync(opened.Id));
        Assert.Equal(deliveriesBefore, await DeliveriesAsync(opened.Id));
    }

    [Fact]
    public async Task Without_a_unit_a_command_refused_half_way_leaves_nothing()
    {
        var (opened, _) = await Fixture.OpenDataFeeCaseAsync(webhookUrl: "https://hooks.example.com/unit");
        var before = await TimelineAsync(opened.Id);
        var deliveriesBefore = await DeliveriesAsync(opened.Id);

        await Assert.ThrowsAsync<ConflictException>(() => Fixture.SendAsync(new WriteThenFail.Command(opened.Id)));

        Assert.Equal(before, await TimelineAsync(opened.Id));
        Assert.Equal(deliveriesBefore, await DeliveriesAsync(opened.Id));
    }
}

public sealed class UnitOfWorkOnSqlite(SqliteSliceFixture fixture) : UnitOfWorkTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class UnitOfWorkOnPostgres(PostgresSliceFixture fixture) : UnitOfWorkTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
