using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PosSupport.Core.Data;

namespace PosSupport.Core.Evidence;

/// <summary>
/// The evidence file store, the same on both providers: each distinct content is one file at
/// <c>&lt;DataDirectory&gt;/evidence/&lt;first 2 hex&gt;/&lt;sha256&gt;</c>, so identical bytes are stored once.
/// A file is written under a temporary name, flushed to disk and only then renamed into place: a crash leaves the
/// whole file or none, never half of one, and the directory is flushed after the rename so the name survives a power cut
/// too. Media types are read from the content's magic bytes, never from its name.
/// Thread-safe; writers of the same bytes race only to an identical rename.
/// </summary>
public sealed class EvidenceFiles(PosSupportOptions options)
{
    public const int MaxDisplayNameLength = 120;

    private static readonly (string MediaType, byte[] Magic, string[] Extensions)[] Formats =
    [
        ("image/jpeg", [0xFF, 0xD8, 0xFF], [".jpg", ".jpeg"]),
        ("image/png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], [".png"]),
        ("application/pdf", "%PDF-"u8.ToArray(), [".pdf"]),
    ];

    private static readonly System.Buffers.SearchValues<char> AsciiLettersAndDigits =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");

    private readonly string _root = Path.Combine(Path.GetFullPath((options ?? throw new ArgumentNullException(nameof(options))).DataDirectory), "evidence");

    public static string Sha256(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>JPEG, PNG or PDF by the first bytes of the content; null for anything else, whatever its name says.</summary>
    public static string? DetectMediaType(ReadOnlySpan<byte> content)
    {
        foreach (var format in Formats)
            if (content.StartsWith(format.Magic)) return format.MediaType;
        return null;
    }

    /// <summary>Media types in words for messages: "JPEG, PNG or PDF".</summary>
    public static string Describe(IEnumerable<string> mediaTypes)
    {
        var names = mediaTypes.Select(t => t switch { "image/jpeg" => "JPEG", "image/png" => "PNG", "application/pdf" => "PDF", _ => t }).ToList();
        return names.Count < 2 ? string.Concat(names) : string.Join(", ", names[..^1]) + " or " + names[^1];
    }

    /// <summary>"10 MB", "512 KB" or "300 bytes".</summary>
    public static string Size(long bytes) =>
        bytes % (1024 * 1024) == 0 ? FormattableString.Invariant($"{bytes / (1024 * 1024)} MB")
        : bytes % 1024 == 0 ? FormattableString.Invariant($"{bytes / 1024} KB")
        : FormattableString.Invariant($"{bytes} bytes");

    /// <summary>
    /// The name shown for a file, never a path: the last segment only (no directories, no <c>..</c>), without control,
    /// formatting (e.g. right-to-left override) or reserved characters, at most 120 characters, ending in an extension
    /// that matches the detected media type (a PDF sent as <c>scan.jpg</c> is shown as <c>scan.pdf</c>).
    /// </summary>
    public static string DisplayName(string? fileName, string mediaType)
    {
        var extensions = Formats.Single(f => f.MediaType == mediaType).Extensions;
        var name = fileName ?? "";
        name = name[(name.LastIndexOfAny(['/', '\\']) + 1)..];

        var clean = new StringBuilder(name.Length);
        foreach (var rune in name.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                    or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                || rune.Value is '<' or '>' or ':' or '"' or '|' or '?' or '*')
                continue;
            clean.Append(Rune.IsWhiteSpace(rune) ? " " : rune.ToString());
        }
        name = clean.ToString().Trim(' ', '.');

        // Only a short run of letters and digits after the last dot counts as an extension ("Mr. Wang" has none).
        var dot = name.LastIndexOf('.');
        var hasExtension = dot > 0 && name.Length - dot is >= 2 and <= 6 && !name.AsSpan(dot + 1).ContainsAnyExcept(AsciiLettersAndDigits);
        var stem = hasExtension ? name[..dot] : name;
        var given = hasExtension ? name[dot..].ToLowerInvariant() : "";
        // A wrong extension is replaced, never kept in front of the right one: "evil.exe" is never shown as "evil.exe.png".
        var extension = extensions.Contains(given, StringComparer.Ordinal) ? given : extensions[0];
        stem = stem.TrimEnd(' ', '.');
        if (stem.Length == 0) stem = "evidence";

        var room = MaxDisplayNameLength - extension.Length;
        if (stem.Length > room) stem = stem[..(char.IsHighSurrogate(stem[room - 1]) ? room - 1 : room)].TrimEnd(' ', '.');
        return stem + extension;
    }

    /// <summary>
    /// Flushes a directory's entries to disk (<see cref="DirectoryDurability.Flush"/>); replaceable so tests can see when
    /// it happens.
    /// </summary>
    internal Action<string> FlushDirectory { get; init; } = DirectoryDurability.Flush;

    // Files renamed into place whose directory is not flushed yet, each with the flush to wait for: a second upload of the
    // same bytes finds the file there, and must not report it stored (and let its row commit) before the name is durable.
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _unflushed = new(StringComparer.Ordinal);

    /// <summary>
    /// Stores the content unless the same bytes are already stored; returns its sha256 (lower-case hex). When it returns,
    /// the file and its name are on disk: a power cut after the caller commits a row that names the file cannot lose it.
    /// </summary>
    public async Task<string> SaveAsync(byte[] content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var sha256 = Sha256(content);
        var path = PathOf(sha256);
        var existing = new FileInfo(path);
        if (existing.Exists && existing.Length == content.LongLength)
        {
            if (_unflushed.TryGetValue(path, out var flushing)) await flushing.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return sha256;
        }

        var directory = Path.GetDirectoryName(path)!;
        var newDirectory = !Directory.Exists(directory);
        var newRoot = newDirectory && !Directory.Exists(_root);
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{sha256}.{Guid.NewGuid():N}.tmp");
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81_920, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            _unflushed[path] = flushed;
            try
            {
                // Overwrite only a damaged leftover (wrong length); a good file of the same hash is already these bytes.
                File.Move(temporary, path, overwrite: existing.Exists);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another request stored the same bytes between our check and our rename; flushing again costs little.
            }
            // The new name, then the names of directories made for it, each in its parent.
            FlushDirectory(directory);
            if (newDirectory) FlushDirectory(_root);
            if (newRoot) FlushDirectory(Path.GetDirectoryName(_root)!);
            flushed.TrySetResult();
        }
        catch (Exception e)
        {
            flushed.TrySetException(e);
            _ = flushed.Task.Exception; // observed here; a waiting upload of the same bytes gets it too
            throw;
        }
        finally
        {
            _unflushed.TryRemove(KeyValuePair.Create(path, flushed));
            if (File.Exists(temporary)) File.Delete(temporary);
        }
        return sha256;
    }

    /// <summary>The stored bytes of <paramref name="sha256"/>, checked against the hash so a damaged file is never served.</summary>
    public async Task<byte[]> ReadAsync(string sha256, CancellationToken cancellationToken)
    {
        var content = await File.ReadAllBytesAsync(PathOf(sha256), cancellationToken).ConfigureAwait(false);
        if (Sha256(content) != sha256) throw new InvalidDataException($"The stored evidence file {sha256} does not match its hash.");
        return content;
    }

    /// <summary>Where the content with this hash lives. Only a well-formed hash makes a path, so stored values cannot point elsewhere.</summary>
    public string PathOf(string sha256)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
            throw new ArgumentException("Not a lower-case hex sha256.", nameof(sha256));
        return Path.Combine(_root, sha256[..2], sha256);
    }
}
