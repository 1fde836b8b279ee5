using BenchmarkDotNet.Running;
using PosSupport.Benchmarks;

// Load and fault modes run the real host; anything else goes to BenchmarkDotNet (e.g. --filter '*').
// One line per mode, so each mode's owner adds theirs without touching the others.
return args.FirstOrDefault() switch
{
    "load" => await LoadRun.RunAsync(args[1..]),
    "queue" => await QueueRun.RunAsync(args[1..]),
    "startup" => await StartupRun.RunAsync(args[1..]),
    "followups" => await FollowUpLoad.RunAsync(args[1..]),
    "crash" => await Crash.RunAsync(args[1..]),
    "conflicts" => await Conflicts.RunAsync(args[1..]),
    "two-nodes" => await TwoNodes.RunAsync(args[1..]),
    _ => RunBenchmarkDotNet(args),
};

static int RunBenchmarkDotNet(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    return 0;
}
