using FluentValidation;
using MediatR;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.ApiClients;

/// <summary>Revokes a client's key: its requests are refused from now on. The client row stays (its cases point at it). Admins only.</summary>
public static class RevokeApiClient
{
    public sealed record Command(string Name, Caller Caller) : ICommand<Result>;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Name).NotEmpty().MaximumLength(100);
            RuleFor(c => c.Caller).NotNull();
        }
    }

    /// <param name="AlreadyRevoked">True when the key had been revoked before: nothing changed.</param>
    public sealed record Result(Guid Id, string Name, DateTimeOffset RevokedAt, bool AlreadyRevoked);

    public sealed class Handler(CaseSession session, TimeProvider clock) : IRequestHandler<Command, Result>
    {
        public async Task<Result> Handle(Command request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            Users.Administration.Require(request.Caller);
            var row = await session.QuerySingleOrDefaultAsync<Row>("SELECT id AS Id, revoked_at AS RevokedAt FROM api_clients WHERE name = @Name", request,
                cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("API client", request.Name);
            if (row.RevokedAt is { } revoked) return new Result(row.Id, request.Name, revoked, AlreadyRevoked: true);
            var now = clock.GetUtcNow();
            await session.ExecuteAsync("UPDATE api_clients SET revoked_at = @now WHERE id = @id", new { now, id = row.Id }, cancellationToken).ConfigureAwait(false);
            return new Result(row.Id, request.Name, now, AlreadyRevoked: false);
        }

        private sealed class Row
        {
            public Guid Id { get; set; }
            public DateTimeOffset? RevokedAt { get; set; }
        }
    }
}
