using PosSupport.Core.Data;
using PosSupport.Core.Evidence;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.Evidence;

/// <summary>
/// A stored file's name must be on disk before the caller commits a row naming it: the file's directory is flushed after
/// the rename (and the parents of directories made for it), and an upload of the same bytes waits for that flush.
/// </summary>
public sealed class EvidenceFileDurabilityTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("possupport-evidence-").FullName;

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    private string Root => Path.Combine(_dataDirectory, "evidence");

    [Fact]
    public async Task A_stored_files_name_is_flushed_after_the_rename_with_the_names_of_directories_made_for_it()
    {
        var first = Files.Png("first");
        var path = "";
        // Each flush, and whether the file was in place by then: flushed before the rename, its name would not be durable.
        var flushes = new List<(string Directory, bool FileInPlace)>();
        var files = new EvidenceFiles(new PosSupportOptions { DataDirectory = _dataDirectory })
        {
            FlushDirectory = directory => flushes.Add((directory, File.Exists(path))),
        };
        path = files.PathOf(EvidenceFiles.Sha256(first));

        await files.SaveAsync(first, CancellationToken.None);

        Assert.Equal([(Path.GetDirectoryName(path)!, true), (Root, true), (_dataDirectory, true)], flushes);
        Assert.Equal(first, await File.ReadAllBytesAsync(path));
        Assert.Empty(Directory.GetFiles(Root, ".*.tmp", SearchOption.AllDirectories));

        // The same bytes again: nothing renamed, nothing to flush.
        flushes.Clear();
        await files.SaveAsync(first, CancellationToken.None);
        Assert.Empty(flushes);
    }

    [Fact]
    public async Task A_file_in_a_directory_that_exists_flushes_only_that_directory()
    {
        var flushes = new List<string>();
        var files = new EvidenceFiles(new PosSupportOptions { DataDirectory = _dataDirectory }) { FlushDirectory = flushes.Add };
        var content = Files.Pdf("second");
        var shard = Path.GetDirectoryName(files.PathOf(EvidenceFiles.Sha256(content)))!;
        Directory.CreateDirectory(shard);

        await files.SaveAsync(content, CancellationToken.None);

        Assert.Equal([shard], flushes);
    }

    [Fact]
    public async Task An_upload_of_the_same_bytes_is_not_reported_stored_until_the_first_uploads_name_is_flushed()
    {
        using var flushing = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var files = new EvidenceFiles(new PosSupportOptions { DataDirectory = _dataDirectory })
        {
            FlushDirectory = _ =>
            {
                flushing.Set();
                release.Wait(TimeSpan.FromSeconds(30));
            },
        };
        var content = Files.Jpeg("shared");
        var first = Task.Run(() => files.SaveAsync(content, CancellationToken.None));
        Assert.True(flushing.Wait(TimeSpan.FromSeconds(30)));

        // The file is in place but its name is not yet durable: the second upload must wait rather than report it stored.
        var second = files.SaveAsync(content, CancellationToken.None);
        await Task.WhenAny(second, Task.Delay(300));
        Assert.False(second.IsCompleted);

        release.Set();
        Assert.Equal(await first, await second);
    }

    [Fact]
    public async Task A_failed_flush_fails_the_upload_and_the_upload_of_the_same_bytes_waiting_on_it()
    {
        using var flushing = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var files = new EvidenceFiles(new PosSupportOptions { DataDirectory = _dataDirectory })
        {
            FlushDirectory = _ =>
            {
                flushing.Set();
                release.Wait(TimeSpan.FromSeconds(30));
                throw new IOException("The disk is gone.");
            },
        };
        var content = Files.Png("doomed");
        var first = Task.Run(() => files.SaveAsync(content, CancellationToken.None));
        Assert.True(flushing.Wait(TimeSpan.FromSeconds(30)));
        var second = files.SaveAsync(content, CancellationToken.None);

        release.Set();

        Assert.Equal("The disk is gone.", (await Assert.ThrowsAsync<IOException>(() => first)).Message);
        Assert.Equal("The disk is gone.", (await Assert.ThrowsAsync<IOException>(() => second)).Message);
    }

    [Fact]
    public void Flushing_a_real_directory_succeeds_and_a_missing_one_is_an_error()
    {
        Assert.True(OperatingSystem.IsLinux(), "The product's durability is checked on Linux, where it runs.");

        DirectoryDurability.Flush(_dataDirectory);

        var missing = Path.Combine(_dataDirectory, "not-there");
        var error = Assert.Throws<IOException>(() => DirectoryDurability.Flush(missing));
        Assert.Contains("errno 2", error.Message, StringComparison.Ordinal);
    }
}
