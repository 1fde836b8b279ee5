using PosSupport.Core.Workflows;

namespace PosSupport.Core.Pipeline;

/// <summary>An expected failure of a request, typed so every way in (API, dashboard, jobs) can answer it precisely.</summary>
public abstract class CaseStoreException(string message) : Exception(message);

public sealed class NotFoundException(string what, string key) : CaseStoreException($"{what} '{key}' was not found.")
{
    public string What { get; } = what;
    public string Key { get; } = key;
}

/// <summary>Input that fails validation: every field's problems at once.</summary>
public sealed class ValidationFailedException(IReadOnlyDictionary<string, string[]> errors)
    : CaseStoreException("Validation failed: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")))
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public static ValidationFailedException For(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>One field's problem, in the request's language (<see cref="System.Globalization.CultureInfo.CurrentUICulture"/>).</summary>
    public static ValidationFailedException For(string field, LocalizedText message) =>
        For(field, (message ?? throw new ArgumentNullException(nameof(message))).For(System.Globalization.CultureInfo.CurrentUICulture));
}

/// <summary>The workflow does not allow this now; <see cref="Reasons"/> say why, in en and zh-CN.</summary>
public sealed class TransitionNotAllowedException(string trigger, IReadOnlyList<BlockedReason> reasons)
    : CaseStoreException($"'{trigger}' is not allowed: " + string.Join("; ", reasons.Select(r => r.Text.En)))
{
    public string Trigger { get; } = trigger;
    public IReadOnlyList<BlockedReason> Reasons { get; } = reasons;
}

/// <summary>The case changed since the caller read it: nothing was written. <see cref="CurrentVersion"/> is what it is now.</summary>
public sealed class ConcurrencyConflictException(Guid caseId, long? expectedVersion, long currentVersion)
    : CaseStoreException($"Case {caseId} is at version {currentVersion}, not {expectedVersion}; reload it and try again.")
{
    public Guid CaseId { get; } = caseId;
    public long? ExpectedVersion { get; } = expectedVersion;
    public long CurrentVersion { get; } = currentVersion;
}

/// <summary>A request conflicts with what is already stored (not a version race): e.g. a duplicate file, an answered offer.</summary>
public sealed class ConflictException(string message) : CaseStoreException(message);

/// <summary>The caller's role may not do this at all (not a workflow rule: those are <see cref="TransitionNotAllowedException"/>).</summary>
public sealed class ForbiddenException(string message) : CaseStoreException(message);

/// <summary>
/// The merchant wrote on a case that is closed, or resolved longer ago than the reopen window: it takes no more messages;
/// the channel opens a new case on the same conversation, which continues this one.
/// </summary>
public sealed class CaseClosedException(Guid caseId, string caseNumber)
    : CaseStoreException($"Case {caseNumber} is closed to new messages; open a new case with the same conversationId to continue it.")
{
    public Guid CaseId { get; } = caseId;
    public string CaseNumber { get; } = caseNumber;
}
