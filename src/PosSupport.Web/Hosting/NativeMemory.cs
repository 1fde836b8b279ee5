using System.Runtime.InteropServices;

namespace PosSupport.Web.Hosting;

/// <summary>
/// Caps the number of glibc malloc arenas at <see cref="ArenaMax"/>, as <c>MALLOC_ARENA_MAX=2</c> would, unless the
/// environment already sets <c>MALLOC_ARENA_MAX</c> (glibc then applied it before the process started).
/// </summary>
/// <remarks>
/// glibc gives threads that allocate at the same time arenas of their own, up to eight per core, and keeps what it once
/// took in each. The host's native allocations (SQLite, Npgsql's and the runtime's own) then crept up by ~8 MB an hour under a steady
/// 30 commands/s, in arenas outside the managed heap; with two arenas that part stayed flat (one-hour soaks side by
/// side: docs/benchmarks.md, "Memory: where the resident growth was"). Linux with glibc only: elsewhere this does nothing.
/// </remarks>
public static partial class NativeMemory
{
    public const int ArenaMax = 2;

    // mallopt's M_ARENA_MAX (glibc's malloc.h).
    private const int MArenaMax = -8;

    [DllImport("libc.so.6", EntryPoint = "mallopt", ExactSpelling = true)]
    private static extern int Mallopt(int parameter, int value);

    /// <summary>What <see cref="LimitMallocArenas"/> did.</summary>
    public enum Outcome { Capped, SetByEnvironment, Refused, NotGlibc, NotLinux }

    /// <summary>Applies the cap (once, at start-up, before the host starts its threads).</summary>
    public static Outcome LimitMallocArenas()
    {
        if (!OperatingSystem.IsLinux()) return Outcome.NotLinux;
        if (Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is { Length: > 0 }) return Outcome.SetByEnvironment;
        try
        {
            return Mallopt(MArenaMax, ArenaMax) == 1 ? Outcome.Capped : Outcome.Refused;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return Outcome.NotGlibc;
        }
    }

    /// <summary>Logs the outcome once the host can log.</summary>
    public static void Log(ILogger logger, Outcome outcome) => Logged(logger, outcome, ArenaMax);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Native memory: malloc arena cap {Outcome} (cap {ArenaMax})")]
    private static partial void Logged(ILogger logger, Outcome outcome, int arenaMax);
}
