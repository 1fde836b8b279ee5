using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Dapper;
using PosSupport.Core.Data;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Cases;

/// <summary>
/// Reads and writes of the <c>cases</c> row and its timeline, shared by the slices. Every write to a case goes
/// through <see cref="BumpAsync"/> or <see cref="MoveAsync"/> first: the version check there is what makes a stale
/// write a conflict instead of a lost update, and what keeps each case's timeline sequence contiguous.
/// </summary>
public sealed class CaseStore(CaseSession session, TimeProvider clock)
{
    // Timeline data stays readable in the database: Chinese is written as itself, not as \uXXXX escapes.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    public CaseSession Session => session;

    public async Task<CaseRecord> LoadAsync(Guid caseId, CancellationToken cancellationToken) =>
        await FindAsync(caseId, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("Case", caseId.ToString("D"));

    /// <summary>The case if this caller may see it: a chat channel sees only the cases it opened (others are "not found", not "forbidden").</summary>
    public async Task<CaseRecord> LoadVisibleAsync(Guid caseId, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return Visible(await LoadAsync(caseId, cancellationToken).ConfigureAwait(false), caller);
    }

    /// <summary>
    /// The case with its row held until commit, read and locked in one statement (PostgreSQL: the row read is the newest,
    /// the one locked; SQLite runs one writer at a time already, and reads it plainly).
    /// </summary>
    public async Task<CaseRecord> LoadLockedAsync(Guid caseId, CancellationToken cancellationToken) =>
        await session.QuerySingleOrDefaultAsync<CaseRecord>(session.Provider == DatabaseProvider.Postgres ? LockedSql : FindSql, new { caseId }, cancellationToken)
            .ConfigureAwait(false) ?? throw new NotFoundException("Case", caseId.ToString("D"));

    /// <summary>As <see cref="LoadLockedAsync"/>, for a caller who must be able to see the case (as <see cref="LoadVisibleAsync"/>).</summary>
    public async Task<CaseRecord> LoadLockedVisibleAsync(Guid caseId, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return Visible(await LoadLockedAsync(caseId, cancellationToken).ConfigureAwait(false), caller);
    }

    private static CaseRecord Visible(CaseRecord record, Caller caller) =>
        Sees(caller, record) ? record : throw new NotFoundException("Case", record.Id.ToString("D"));

    /// <summary>Whether <paramref name="caller"/> may see the case: staff see every case, a chat channel only those it opened.</summary>
    public static bool Sees(Caller caller, CaseRecord record)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(record);
        return caller.Actor != Actor.Customer || record.ChannelClientId == caller.ChannelClientId;
    }

    private const string FindSql = $"SELECT {CaseRecord.Columns} FROM cases WHERE id = @caseId";
    private const string LockedSql = FindSql + " FOR UPDATE";

    /// <summary>
    /// The case as a slice that will change it must see it (as <see cref="LoadVisibleAsync"/> for <paramref name="caller"/>).
    /// Without an <paramref name="expectedVersion"/> the change is ordered by the row lock, not refused: the case is read
    /// as locked (<see cref="LoadLockedAsync"/>), so a reminder or a colleague's note that lands before the write waits or
    /// is waited for, and does not turn the request into a 409. With one, a stale
    /// version stays a conflict, found when the change is written.
    /// </summary>
    public Task<CaseRecord> LoadForChangeAsync(Guid caseId, Caller caller, long? expectedVersion, CancellationToken cancellationToken) =>
        expectedVersion is null ? LoadLockedVisibleAsync(caseId, caller, cancellationToken) : LoadVisibleAsync(caseId, caller, cancellationToken);

    public Task<CaseRecord?> FindAsync(Guid caseId, CancellationToken cancellationToken) =>
        session.QuerySingleOrDefaultAsync<CaseRecord>(FindSql, new { caseId }, cancellationToken);

    /// <summary>
    /// Records a change that leaves the state as it is (note, message, evidence...): version + 1. With an expected
    /// version a stale one is a conflict; without, the row lock alone orders concurrent writers (no needless 409).
    /// </summary>
    public async Task BumpAsync(CaseRecord record, long? expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var now = clock.GetUtcNow();
        if (expectedVersion is { } expected)
        {
            const string sql = "UPDATE cases SET version = version + 1, updated_at = @now WHERE id = @id AND version = @expected";
            await CheckedUpdateAsync(record, expected, sql, new { id = record.Id, expected, now }, cancellationToken).ConfigureAwait(false);
            record.Version = expected + 1;
        }
        else
        {
            const string sql = "UPDATE cases SET version = version + 1, updated_at = @now WHERE id = @id RETURNING version";
            record.Version = await session.ExecuteScalarAsync<long?>(sql, new { id = record.Id, now }, cancellationToken).ConfigureAwait(false)
                ?? throw new NotFoundException("Case", record.Id.ToString("D"));
        }
        record.UpdatedAt = now;
    }

    /// <summary>Writes the case's new state (and outcome, timestamps) with the version check.</summary>
    public async Task MoveAsync(CaseRecord record, long expectedVersion, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE cases
               SET state = @State, state_kind = @StateKind, outcome = @Outcome, agreed_fee_fen = @AgreedFeeFen,
                   replacement_serial = @ReplacementSerial, tracking_number = @TrackingNumber,
                   escalation_tier = @EscalationTier, linked_case_id = @LinkedCaseId, device_id = @DeviceId,
                   resolved_at = @ResolvedAt, closed_at = @ClosedAt, updated_at = @UpdatedAt,
                   version = version + 1
             WHERE id = @Id AND version = @ExpectedVersion
            """;
        record.UpdatedAt = clock.GetUtcNow();
        await CheckedUpdateAsync(record, expectedVersion, sql, new
        {
            record.State, record.StateKind, record.Outcome, record.AgreedFeeFen, record.ReplacementSerial, record.TrackingNumber,
            record.EscalationTier, record.LinkedCaseId, record.DeviceId, record.ResolvedAt, record.ClosedAt, record.UpdatedAt,
            record.Id, ExpectedVersion = expectedVersion,
        }, cancellationToken).ConfigureAwait(false);
        record.Version = expectedVersion + 1;
    }

    private async Task CheckedUpdateAsync(CaseRecord record, long? expectedVersion, string sql, object param, CancellationToken cancellationToken)
    {
        if (await session.ExecuteAsync(sql, param, cancellationToken).ConfigureAwait(false) == 1) return;
        var current = await session.ExecuteScalarAsync<long?>("SELECT version FROM cases WHERE id = @id", new { id = record.Id }, cancellationToken)
            .ConfigureAwait(false);
        if (current is null) throw new NotFoundException("Case", record.Id.ToString("D"));
        throw new ConcurrencyConflictException(record.Id, expectedVersion ?? record.Version, current.Value);
    }

    /// <summary>Appends one timeline event. Call after the case row was written in this transaction, which serialises writers.</summary>
    public Task AppendEventAsync(Guid caseId, string kind, Caller caller, bool merchantVisible, object data, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO case_events (case_id, seq, kind, actor, actor_id, at, visibility, data)
            SELECT @caseId, COALESCE(MAX(seq), 0) + 1, @kind, @actor, @actorId, @at, @visibility, @data
              FROM case_events WHERE case_id = @caseId
            """;
        return session.ExecuteAsync(sql, new
        {
            caseId, kind, actor = WorkflowSpelling.Of(caller.Actor), actorId = caller.Id, at = clock.GetUtcNow(),
            visibility = merchantVisible ? "merchant" : "internal", data = JsonSerializer.Serialize(data, Json),
        }, cancellationToken);
    }

    /// <summary>Everything the workflow's guards read, in one round trip.</summary>
    public async Task<CaseSnapshot> SnapshotAsync(CaseRecord record, long agentOfferAuthorityFen, CancellationToken cancellationToken) =>
        (await ReadSnapshotAsync(record, agentOfferAuthorityFen, cancellationToken).ConfigureAwait(false)).Snapshot;

    /// <summary>
    /// As <see cref="SnapshotAsync"/>, with the offer on the table (open or awaiting approval, the newest) as read for the
    /// guards: a transition's offer changes start from it, and need not read it again.
    /// </summary>
    public async Task<SnapshotRead> ReadSnapshotAsync(CaseRecord record, long agentOfferAuthorityFen, CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT contract_id AS ContractId, {ContractTerms.Columns} FROM case_contracts WHERE case_id = @caseId;
            SELECT activated_on AS ActivatedOn, physical_damage AS PhysicalDamage FROM devices WHERE id = @deviceId;
            SELECT DISTINCT type FROM evidence_items WHERE case_id = @caseId AND status = 'accepted';
            SELECT {OfferRecord.Columns} FROM offers WHERE case_id = @caseId AND status IN ('open', 'awaiting-approval') ORDER BY proposed_at DESC LIMIT 1;
            SELECT trailing_year_volume_fen FROM merchants WHERE id = @merchantId;
            """;
        await using var grid = await session.QueryMultipleAsync(sql,
            new { caseId = record.Id, deviceId = record.DeviceId ?? Guid.Empty, merchantId = record.MerchantId }, cancellationToken).ConfigureAwait(false);
        var contract = await grid.ReadSingleOrDefaultAsync<ContractTerms>().ConfigureAwait(false);
        var device = await grid.ReadSingleOrDefaultAsync<DeviceRow>().ConfigureAwait(false);
        var accepted = (await grid.ReadAsync<string>().ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var offer = await grid.ReadSingleOrDefaultAsync<OfferRecord>().ConfigureAwait(false);
        var volume = await grid.ReadSingleOrDefaultAsync<long?>().ConfigureAwait(false);

        var facts = new CaseFacts
        {
            AcceptedEvidence = accepted,
            Contract = contract is null ? null : new ContractFacts
            {
                HasDataFeeClause = contract.DataFeeClause,
                DataFeeAmountFen = contract.DataFeeAmountFen,
                DataFeeFreeDays = contract.DataFeeFreeDays,
                DataFeeWaiverVolumeFen = contract.DataFeeWaiverVolumeFen,
                RefundWindowDays = contract.RefundWindowDays,
                FeeNoticeGiven = contract.FeeNoticeGiven,
                FeeRateBp = contract.FeeRateBp,
                WarrantyMonths = contract.WarrantyMonths,
                ReplacementFeeFen = contract.ReplacementFeeFen,
            },
            Device = device is null ? null : new DeviceFacts { ActivatedOn = device.ActivatedOn, PhysicalDamage = device.PhysicalDamage },
            OpenOffer = offer is null ? null : new OfferFacts(offer.AmountFen, offer.IsFinal, !offer.NeedsApproval || offer.ApproverId is not null),
            DataFeeChargedOn = record.ClaimChargedOn,
            TrailingYearVolumeFen = volume,
            ChargedRateBp = record.ClaimChargedRateBp,
            AgreedReplacementFeeFen = record.AgreedFeeFen,
            AgentOfferAuthorityFen = agentOfferAuthorityFen,
        };
        return new SnapshotRead(new CaseSnapshot(record.WorkflowId, record.WorkflowVersion, record.State, record.Version, clock.GetUtcNow(), facts), offer);
    }

    /// <summary>
    /// The accepted evidence types of a case, one statement: enough to tell that a review did not complete the set, which
    /// most reviews do not, before reading the whole <see cref="SnapshotAsync"/>.
    /// </summary>
    public async Task<IReadOnlySet<string>> AcceptedEvidenceTypesAsync(Guid caseId, CancellationToken cancellationToken) =>
        (await session.QueryAsync<string>("SELECT DISTINCT type FROM evidence_items WHERE case_id = @caseId AND status = 'accepted'", new { caseId },
            cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);

    private sealed class DeviceRow
    {
        public DateOnly? ActivatedOn { get; set; }
        public bool PhysicalDamage { get; set; }
    }
}

/// <summary>
/// A case's <see cref="CaseSnapshot"/> and the offer on the table read with it, for the record it was read from. Valid
/// until that case is written again: pass it on only within the same step of a transaction.
/// </summary>
public sealed record SnapshotRead(CaseSnapshot Snapshot, OfferRecord? CurrentOffer);
