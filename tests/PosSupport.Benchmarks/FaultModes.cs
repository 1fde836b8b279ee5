using System.Globalization;

namespace PosSupport.Benchmarks;

/// <summary>Options and output shared by the fault modes (crash, conflicts, two-nodes).</summary>
internal static class FaultModes
{
    public static string Text(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    public static double Number(string[] args, string name, double fallback) =>
        double.Parse(Text(args, name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    public static void Log(string line) => Console.WriteLine($"[{DateTimeOffset.UtcNow:HH:mm:ss}] {line}");

    /// <summary>The problems, at most <paramref name="limit"/> of them, then how many more.</summary>
    public static void PrintProblems(IEnumerable<string> problems, int limit = 20)
    {
        var list = problems.ToList();
        foreach (var problem in list.Take(limit)) Console.WriteLine("  ! " + problem);
        if (list.Count > limit) Console.WriteLine($"  ! ... and {list.Count - limit} more");
    }

    public static string Pairs(params (string Key, object Value)[] pairs) =>
        string.Join(' ', pairs.Select(p => p.Key + "=" + Convert.ToString(p.Value, CultureInfo.InvariantCulture)));
}
