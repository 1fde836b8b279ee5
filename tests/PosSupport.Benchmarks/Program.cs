using BenchmarkDotNet.Running;
using PosSupport.Benchmarks;

// Load and fault modes run the real host; anything else goes to BenchmarkDotNet (e.g. --filter '*').
if (args.Length > 0 && args[0] == "followups") return await FollowUpLoad.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "crash") return await Crash.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "conflicts") return await Conflicts.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "two-nodes") return await TwoNodes.RunAsync(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
