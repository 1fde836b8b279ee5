using System.Runtime.InteropServices;

namespace PosSupport.Core.Evidence;

/// <summary>
/// Makes a directory's entries durable: <c>fsync</c> on the directory itself. On Linux a file flushed to disk and then
/// renamed into a directory is not yet there for good: until the directory is flushed too, a power cut can lose the new
/// name, and with it a file the database already points to. .NET has no call for this (it refuses to open a directory
/// as a file), so it is asked of libc directly. Elsewhere it does nothing: Windows keeps a rename in NTFS's own journal.
/// </summary>
internal static partial class DirectoryDurability
{
    private const int ReadOnly = 0; // O_RDONLY

    [DllImport("libc.so.6", EntryPoint = "open", ExactSpelling = true, SetLastError = true)]
    private static extern int Open(byte[] nulTerminatedUtf8Path, int flags);

    [DllImport("libc.so.6", EntryPoint = "fsync", ExactSpelling = true, SetLastError = true)]
    private static extern int Fsync(int descriptor);

    [DllImport("libc.so.6", EntryPoint = "close", ExactSpelling = true)]
    private static extern int Close(int descriptor);

    /// <summary>Flushes <paramref name="directory"/>'s entries to disk; throws <see cref="IOException"/> when it cannot.</summary>
    public static void Flush(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!OperatingSystem.IsLinux()) return;
        var descriptor = Open(System.Text.Encoding.UTF8.GetBytes(directory + "\0"), ReadOnly);
        if (descriptor < 0)
            throw new IOException($"Could not open the directory {directory} to flush it to disk (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (Fsync(descriptor) != 0)
                throw new IOException($"Could not flush the directory {directory} to disk (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            _ = Close(descriptor);
        }
    }
}
