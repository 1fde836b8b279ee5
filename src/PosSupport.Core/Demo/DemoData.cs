using MediatR;
using Microsoft.Extensions.DependencyInjection;
using PosSupport.Core.Cases;
using PosSupport.Core.Data;
using PosSupport.Core.Pipeline;

namespace PosSupport.Core.Demo;

/// <summary>
/// The demo data set: about 50 merchants with their terminals and contracts, the support staff, three chat channels, and
/// cases in every state of every shipped workflow. Deterministic: one seeded <see cref="Random"/> draws every name,
/// number and choice, and dates count back from the <see cref="TimeProvider"/>'s now, so two seeds of two empty
/// databases hold the same merchants and case numbers. The cases are opened and moved by the real slices.
/// </summary>
public static class DemoData
{
    public const int Seed = 20261123;

    /// <summary>
    /// The password of the demo's dashboard users, stated in the README and repeated in the start-up log. The users who
    /// can sign in are <see cref="SignInLogins"/>; the other staff have no password. Real deployments create their
    /// users with the <c>users create</c> verb and have no default password.
    /// </summary>
    public const string Password = "possupport-demo";

    /// <summary>The demo users who sign in with <see cref="Password"/>: a billing agent, the supervisor and the administrator.</summary>
    public static readonly IReadOnlyList<string> SignInLogins = ["agent", "supervisor", "admin"];

    /// <param name="Seeded">False when the database already held this demo data: nothing was written.</param>
    public sealed record Result(bool Seeded, int Merchants, int Cases, DateTimeOffset SeededAt);

    /// <summary>True when the database has no merchants, no cases and no demo data: what the host seeds on first start.</summary>
    public static async Task<bool> IsEmptyAsync(CaseDatabase database, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT CASE WHEN EXISTS (SELECT 1 FROM merchants) OR EXISTS (SELECT 1 FROM cases) OR EXISTS (SELECT 1 FROM demo_seeds)
                        THEN 0 ELSE 1 END
            """;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    /// <summary>True when the database holds this demo data set (and so its users who sign in with <see cref="Password"/>).</summary>
    public static async Task<bool> IsSeededAsync(CaseDatabase database, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM demo_seeds WHERE seed = {Seed}";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>
    /// Writes the demo data in one transaction (all of it or nothing), through the services of <paramref name="services"/>
    /// (which must have <c>AddPosSupportCore</c>), into a migrated database with the shipped workflows published. A database
    /// that already holds it is left alone. Notifications of the new cases are published after commit, as for any request.
    /// </summary>
    public static async Task<Result> SeedAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using var scope = services.CreateAsyncScope();
        var provider = scope.ServiceProvider;
        var session = provider.GetRequiredService<CaseSession>();
        var unit = provider.GetRequiredService<UnitOfWork>();
        var mediator = provider.GetRequiredService<IMediator>();
        var now = provider.GetRequiredService<TimeProvider>().GetUtcNow();
        Result result;
        // Every request sent below joins this unit, so the whole data set commits (or rolls back) as one.
        await unit.BeginAsync(guardEachCommand: false, cancellationToken).ConfigureAwait(false);
        try
        {
            var existing = await session.QuerySingleOrDefaultAsync<SeedRow>(
                "SELECT seeded_at AS SeededAt, merchants AS Merchants, cases AS Cases FROM demo_seeds WHERE seed = @Seed", new { Seed }, cancellationToken)
                .ConfigureAwait(false);
            if (existing is not null)
            {
                await unit.RollbackAsync().ConfigureAwait(false);
                return new Result(false, existing.Merchants, existing.Cases, existing.SeededAt);
            }

            var world = new DemoWorld(new Random(Seed), now);
            await InsertReferenceDataAsync(session, world, now, cancellationToken).ConfigureAwait(false);
            var options = provider.GetRequiredService<PosSupportOptions>();
            var cases = await new DemoCases(world, mediator, provider.GetRequiredService<CaseStore>(), session, options.AgentOfferAuthorityFen)
                .RunAsync(cancellationToken).ConfigureAwait(false);
            result = new Result(true, world.Merchants.Count, cases, now);
            await session.ExecuteAsync("INSERT INTO demo_seeds (seed, seeded_at, merchants, cases) VALUES (@Seed, @SeededAt, @Merchants, @Cases)",
                new { Seed, result.SeededAt, result.Merchants, result.Cases }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await unit.RollbackAsync().ConfigureAwait(false);
            throw;
        }
        await unit.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    // Merchants, terminals, contracts, staff and channel clients come from the acquirer's other systems: no slice writes them.
    private static async Task InsertReferenceDataAsync(CaseSession session, DemoWorld world, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await session.ExecuteAsync("""
            INSERT INTO users (id, login, display_name, role, skill_group, away, password_hash, created_at)
            VALUES (@Id, @Login, @DisplayName, @Role, @SkillGroup, @Away, @passwordHash, @now)
            """, world.Users.Select(u => new
            {
                u.Id, u.Login, u.DisplayName, u.Role, u.SkillGroup, u.Away,
                passwordHash = SignInLogins.Contains(u.Login) ? Users.Passwords.Hash(u.Login, Password) : null, now,
            }).ToList(), cancellationToken)
            .ConfigureAwait(false);
        // Channel clients without a usable key: the stored value is not a hash of anything, so nobody can sign in as them.
        await session.ExecuteAsync("""
            INSERT INTO api_clients (id, name, role, key_hash, created_at) VALUES (@Id, @Name, 'channel', @keyHash, @now)
            """, world.Channels.Select(c => new { c.Id, c.Name, keyHash = "demo-without-key:" + c.Name, now }).ToList(), cancellationToken)
            .ConfigureAwait(false);
        await session.ExecuteAsync("""
            INSERT INTO merchants (id, name, licence_number, mcc, category, phone, preferred_language, trailing_year_volume_fen, created_at)
            VALUES (@Id, @Name, @LicenceNumber, @Mcc, @Category, @Phone, @PreferredLanguage, @TrailingYearVolumeFen, @CreatedAt)
            """, world.Merchants.Select(m => new { m.Id, m.Name, m.LicenceNumber, m.Mcc, m.Category, m.Phone, m.PreferredLanguage, m.TrailingYearVolumeFen, m.CreatedAt })
            .ToList(), cancellationToken).ConfigureAwait(false);
        await session.ExecuteAsync("""
            INSERT INTO devices (id, serial_number, model, status, activated_on, merchant_id, physical_damage)
            VALUES (@Id, @SerialNumber, @Model, @Status, @ActivatedOn, @MerchantId, @PhysicalDamage)
            """, world.Merchants.SelectMany(m => m.Devices).Concat(world.Stock)
            .Select(d => new { d.Id, d.SerialNumber, d.Model, d.Status, d.ActivatedOn, d.MerchantId, d.PhysicalDamage }).ToList(), cancellationToken)
            .ConfigureAwait(false);
        await session.ExecuteAsync("""
            INSERT INTO contracts (id, merchant_id, signed_on, fee_rate_bp, data_fee_clause, data_fee_amount_fen, data_fee_period_months,
                                   data_fee_free_days, data_fee_waiver_volume_fen, refund_window_days, fee_notice_clause, fee_notice_given,
                                   warranty_months, deposit_fen, deposit_paid, replacement_fee_fen, device_leased)
            VALUES (@Id, @MerchantId, @SignedOn, @FeeRateBp, @HasClause, @DataFeeAmountFen, @DataFeePeriodMonths,
                    @DataFeeFreeDays, @DataFeeWaiverVolumeFen, @RefundWindowDays, @FeeNoticeClause, @FeeNoticeGiven,
                    @WarrantyMonths, @DepositFen, @DepositPaid, @ReplacementFeeFen, @DeviceLeased)
            """, world.Merchants.Where(m => m.Contract is not null).Select(m => (MerchantId: m.Id, Contract: m.Contract!)).Select(x => new
            {
                x.Contract.Id, x.MerchantId, x.Contract.SignedOn, x.Contract.FeeRateBp, HasClause = x.Contract.Clause != DataFeeClause.None,
                x.Contract.DataFeeAmountFen, x.Contract.DataFeePeriodMonths, x.Contract.DataFeeFreeDays, x.Contract.DataFeeWaiverVolumeFen,
                x.Contract.RefundWindowDays, x.Contract.FeeNoticeClause, x.Contract.FeeNoticeGiven, x.Contract.WarrantyMonths, x.Contract.DepositFen,
                x.Contract.DepositPaid, x.Contract.ReplacementFeeFen, x.Contract.DeviceLeased,
            }).ToList(), cancellationToken).ConfigureAwait(false);
    }

    private sealed class SeedRow
    {
        public DateTimeOffset SeededAt { get; set; }
        public int Merchants { get; set; }
        public int Cases { get; set; }
    }
}
