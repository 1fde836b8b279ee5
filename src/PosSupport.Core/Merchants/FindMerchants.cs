using FluentValidation;
using MediatR;
using PosSupport.Core.Data;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Privacy;

namespace PosSupport.Core.Merchants;

/// <summary>
/// Finds merchants for phone intake: by part of the name, part of a device serial number, or the phone's last 4 digits.
/// Each merchant comes with its devices; the phone is masked.
/// </summary>
public static class FindMerchants
{
    public const int MaxResults = 20;

    public sealed record Query(string Search, Caller Caller) : IQuery<IReadOnlyList<Match>>;

    public sealed record Match(Guid Id, string Name, string Category, string MaskedPhone, IReadOnlyList<Device> Devices);

    public sealed record Device(string SerialNumber, string Model, string Status);

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.Search).NotEmpty().MaximumLength(100);
            RuleFor(q => q.Caller).NotNull();
        }
    }

    public sealed class Handler(CaseSession session) : IRequestHandler<Query, IReadOnlyList<Match>>
    {
        public async Task<IReadOnlyList<Match>> Handle(Query request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (!request.Caller.IsStaff) throw new ForbiddenException("Only agents and supervisors search merchants.");
            var search = request.Search.Trim();
            var phone = search.Length == 4 && search.All(char.IsAsciiDigit);
            var provider = session.Provider;
            var matching = $"""
                SELECT m.id FROM merchants m
                 WHERE {provider.ContainsIgnoringCase("m.name", "@pattern")}
                    OR m.id IN (SELECT sd.merchant_id FROM devices sd WHERE {provider.ContainsIgnoringCase("sd.serial_number", "@pattern")})
                    {(phone ? "OR substr(m.phone, length(m.phone) - 3) = @search" : "")}
                 ORDER BY m.name, m.id
                 LIMIT {MaxResults}
                """;
            var sql = $"""
                SELECT id AS Id, name AS Name, category AS Category, phone AS Phone FROM merchants
                 WHERE id IN ({matching}) ORDER BY name, id;
                SELECT merchant_id AS MerchantId, serial_number AS SerialNumber, model AS Model, status AS Status
                  FROM devices WHERE merchant_id IN ({matching}) ORDER BY serial_number;
                """;
            await using var grid = await session.QueryMultipleAsync(sql, new { pattern = SqlDialect.ContainsPattern(search), search }, cancellationToken)
                .ConfigureAwait(false);
            var merchants = (await grid.ReadAsync<MerchantRow>().ConfigureAwait(false)).ToList();
            var devices = (await grid.ReadAsync<DeviceRow>().ConfigureAwait(false)).ToLookup(d => d.MerchantId);
            return merchants.Select(m => new Match(m.Id, m.Name, m.Category, Masking.Phone(m.Phone),
                devices[m.Id].Select(d => new Device(d.SerialNumber, d.Model, d.Status)).ToList())).ToList();
        }

        private sealed class MerchantRow
        {
            public Guid Id { get; set; }
            public string Name { get; set; } = "";
            public string Category { get; set; } = "";
            public string Phone { get; set; } = "";
        }

        private sealed class DeviceRow
        {
            public Guid MerchantId { get; set; }
            public string SerialNumber { get; set; } = "";
            public string Model { get; set; } = "";
            public string Status { get; set; } = "";
        }
    }
}
