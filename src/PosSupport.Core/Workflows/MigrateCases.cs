using FluentValidation;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using PosSupport.Core.Cases;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Workflows;

/// <summary>
/// Moves the open cases of a workflow to a newer version, never silently: every open case's state must be mapped
/// (explicitly, even to a state of the same name) to a state of the target version, or nothing moves and every
/// problem is reported at once. Each case then moves in its own transaction, with a <c>workflow-migrated</c> timeline
/// event; the old state's pending follow-ups are cancelled and the new state's are armed from now, and its SLA clock, if
/// it has one, is armed again (it keeps running from when the case entered a state of the same name). Other on-entry
/// effects (messages, contract lookup, evidence requests) do not run again. Safe to re-run: moved cases are skipped.
/// </summary>
public static class MigrateCases
{
    public sealed record Command(string WorkflowId, int ToVersion, IReadOnlyDictionary<string, string> StateMap, Caller Caller, bool DryRun = false)
        : IBatchCommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(WorkflowCatalog catalog)
        {
            RuleFor(c => c.WorkflowId).NotEmpty().Must(id => catalog.TryGetNewest(id, out _)).WithMessage("'{PropertyValue}' is not a loaded workflow.");
            RuleFor(c => c.ToVersion).Must((c, v) => catalog.TryGet(c.WorkflowId, v, out _))
                .WithMessage(c => $"Version {c.ToVersion} of '{c.WorkflowId}' is not loaded: add its file to the workflows directory first.");
            RuleFor(c => c.StateMap).NotNull().Must(m => m.Count <= 200).WithMessage("At most 200 mapped states.")
                .Must(m => m.All(p => p.Key.Length is > 0 and <= 100 && p.Value.Length is > 0 and <= 100)).WithMessage("State names are 1 to 100 characters.");
            RuleFor(c => c.Caller).NotNull();
        }
    }

    /// <param name="Moves">The cases moved or, on a dry run, that would move.</param>
    /// <param name="NotMoved">Cases that changed under the migration (e.g. left a mapped state) and were left as they are.</param>
    public sealed record Result(string WorkflowId, int ToVersion, bool DryRun, IReadOnlyList<CaseMove> Moves, IReadOnlyList<CaseNotMoved> NotMoved);

    public sealed record CaseMove(Guid CaseId, string Number, int FromVersion, string FromState, string ToState);

    public sealed record CaseNotMoved(Guid CaseId, string Number, string Reason);

    public sealed class Handler(CaseSession session, WorkflowCatalog catalog, IServiceScopeFactory scopes) : IRequestHandler<Command, Result>
    {
        private const int Attempts = 3;

        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (request.Caller.Actor != Actor.System)
                throw new ForbiddenException("Only the system (the 'workflows migrate' command) moves cases to another workflow version.");
            var target = catalog.Get(request.WorkflowId, request.ToVersion);
            var published = await session.ExecuteScalarAsync<string>("SELECT sha256 FROM workflow_definitions WHERE id = @Id AND version = @Version",
                new { target.Id, target.Version }, cancellationToken).ConfigureAwait(false);
            if (published != target.Sha256)
                throw ValidationFailedException.For(nameof(Command.ToVersion), $"{target} is not published in this database: start the application with it first.");

            var open = (await session.QueryAsync<Candidate>("""
                SELECT id AS Id, number AS Number, workflow_version AS Version, state AS State, state_kind AS Kind
                  FROM cases WHERE workflow_id = @WorkflowId AND workflow_version <> @ToVersion AND state_kind <> 'final'
                 ORDER BY opened_at, id
                """, new { request.WorkflowId, request.ToVersion }, cancellationToken).ConfigureAwait(false)).ToList();
            var earlier = catalog.All.Where(d => d.Id == target.Id && d.Version < target.Version).ToList();
            var problems = Problems(request, target, open, earlier);
            if (problems.Count > 0) throw new ValidationFailedException(problems.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal));

            var plan = open.Select(c => new CaseMove(c.Id, c.Number, c.Version, c.State, request.StateMap[c.State])).ToList();
            if (request.DryRun) return new Result(request.WorkflowId, request.ToVersion, true, plan, []);

            var moved = new List<CaseMove>();
            var notMoved = new List<CaseNotMoved>();
            foreach (var move in plan)
            {
                var outcome = await MoveAsync(new MoveCase(move.CaseId, request.WorkflowId, request.ToVersion, request.StateMap, request.Caller), cancellationToken)
                    .ConfigureAwait(false);
                if (outcome.Moved is { } done) moved.Add(done);
                else notMoved.Add(new CaseNotMoved(move.CaseId, move.Number, outcome.Reason!));
            }
            return new Result(request.WorkflowId, request.ToVersion, false, moved, notMoved);
        }

        // A new scope per case: its own session, so its own transaction (and, on SQLite, its own turn to write).
        private async Task<MoveOutcome> MoveAsync(MoveCase move, CancellationToken cancellationToken)
        {
            for (var attempt = 1; ; attempt++)
            {
                await using var scope = scopes.CreateAsyncScope();
                try
                {
                    return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(move, cancellationToken).ConfigureAwait(false);
                }
                catch (ConcurrencyConflictException) when (attempt < Attempts)
                {
                    // Someone changed the case between our read and write: read it again and retry.
                }
                catch (ConcurrencyConflictException)
                {
                    return new MoveOutcome(null, $"The case kept changing; {Attempts} attempts conflicted. Run the migration again.");
                }
            }
        }

        private static Dictionary<string, List<string>> Problems(Command request, WorkflowDefinition target, List<Candidate> open, List<WorkflowDefinition> earlier)
        {
            var problems = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            void Add(string field, string message) => (problems.TryGetValue(field, out var list) ? list : problems[field] = []).Add(message);

            foreach (var newer in open.Where(c => c.Version > target.Version).GroupBy(c => c.Version))
                Add(nameof(Command.ToVersion), $"{newer.Count()} open case(s) are on version {newer.Key}, newer than {target.Version}: migrations only move forward.");
            foreach (var group in open.Where(c => c.Version < target.Version).GroupBy(c => (c.State, c.Kind)).OrderBy(g => g.Key.State, StringComparer.Ordinal))
            {
                var (state, kind) = group.Key;
                var resolved = kind == WorkflowSpelling.Of(StateKind.Resolved);
                var where = $"{group.Count()} open case(s) (version {string.Join(", ", group.Select(c => c.Version).Distinct().Order())}) are in '{state}'";
                if (!request.StateMap.TryGetValue(state, out var to))
                    Add($"StateMap.{state}", target.TryGetState(state, out _)
                        ? $"{where}, which the map leaves out. {target} has a state of that name: map it explicitly ({state}={state})."
                        : $"{where}, which the map leaves out. Map it to one of: {string.Join(", ", target.States.Where(s => s.Kind != StateKind.Final && Resolved(s.Kind) == resolved).Select(s => s.Name))}.");
                else if (target.TryGetState(to, out var arrival) && Resolved(arrival.Kind) != resolved)
                    Add($"StateMap.{state}", $"{where} ({kind}), but '{to}' is {WorkflowSpelling.Of(arrival.Kind)}: open cases must stay open and resolved ones resolved.");
            }
            foreach (var (from, to) in request.StateMap.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (earlier.Count > 0 && !earlier.Any(d => d.TryGetState(from, out _)) && !open.Any(c => c.State == from))
                    Add($"StateMap.{from}", $"'{from}' is not a state of any earlier version of '{target.Id}'.");
                if (!target.TryGetState(to, out var arrival)) Add($"StateMap.{from}", $"'{to}' is not a state of {target}.");
                else if (arrival.Kind == StateKind.Final) Add($"StateMap.{from}", $"'{to}' is final in {target}: a migration does not close cases.");
            }
            return problems;
        }

        private static bool Resolved(StateKind kind) => kind == StateKind.Resolved;

        private sealed class Candidate
        {
            public Guid Id { get; set; }
            public string Number { get; set; } = "";
            public int Version { get; set; }
            public string State { get; set; } = "";
            public string Kind { get; set; } = "";
        }
    }

    /// <summary>Moves one case, in the transaction of its own request; re-checks what the plan assumed.</summary>
    internal sealed record MoveCase(Guid CaseId, string WorkflowId, int ToVersion, IReadOnlyDictionary<string, string> StateMap, Caller Caller)
        : ICommand<MoveOutcome>;

    internal sealed record MoveOutcome(CaseMove? Moved, string? Reason);

    internal sealed class MoveCaseHandler(CaseStore store, CaseWorkflow workflow, WorkflowEngine engine, CaseSession session, TimeProvider clock)
        : IRequestHandler<MoveCase, MoveOutcome>
    {
        public async Task<MoveOutcome> Handle(MoveCase request, CancellationToken cancellationToken)
        {
            var record = await store.LoadAsync(request.CaseId, cancellationToken).ConfigureAwait(false);
            var target = engine.Catalog.Get(request.WorkflowId, request.ToVersion);
            var from = (record.WorkflowVersion, record.State, Title: engine.Catalog.TryGet(record.WorkflowId, record.WorkflowVersion, out var old)
                && old.TryGetState(record.State, out var oldState) ? oldState.Title : new LocalizedText(record.State, record.State));
            if (record.WorkflowVersion >= request.ToVersion || record.StateKind == WorkflowSpelling.Of(StateKind.Final))
                return new MoveOutcome(null, $"Meanwhile the case moved on (version {record.WorkflowVersion}, {record.StateKind}).");
            if (!request.StateMap.TryGetValue(record.State, out var to) || !target.TryGetState(to, out var arrival)
                || (arrival.Kind == StateKind.Resolved) != (record.StateKind == WorkflowSpelling.Of(StateKind.Resolved)))
                return new MoveOutcome(null, $"Meanwhile the case moved to '{record.State}', which the map does not take to a matching state.");

            await store.BumpAsync(record, record.Version, cancellationToken).ConfigureAwait(false);
            record.WorkflowVersion = target.Version;
            record.State = arrival.Name;
            record.StateKind = WorkflowSpelling.Of(arrival.Kind);
            await session.ExecuteAsync("UPDATE cases SET workflow_version = @WorkflowVersion, state = @State, state_kind = @StateKind WHERE id = @Id AND version = @Version",
                record, cancellationToken).ConfigureAwait(false);
            await store.AppendEventAsync(record.Id, "workflow-migrated", request.Caller, merchantVisible: false, new
            {
                fromVersion = from.WorkflowVersion, fromState = from.State, toVersion = target.Version, toState = arrival.Name,
                title = new LocalizedText($"Moved to version {target.Version} of the workflow", $"已迁移至流程第 {target.Version} 版"),
                fromTitle = from.Title, toTitle = arrival.Title,
            }, cancellationToken).ConfigureAwait(false);

            var effects = new List<WorkflowEffect> { new FollowUpsCancelled(from.State) };
            effects.AddRange(engine.Enter(target, arrival.Name, clock.GetUtcNow()).OfType<FollowUpScheduled>());
            await workflow.ExecuteEffectsAsync(record, request.Caller, effects, cancellationToken).ConfigureAwait(false);
            await workflow.ArmStateSlaAsync(record, cancellationToken).ConfigureAwait(false);
            return new MoveOutcome(new CaseMove(record.Id, record.Number, from.WorkflowVersion, from.State, arrival.Name), null);
        }
    }
}
