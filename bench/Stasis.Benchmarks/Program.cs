using BenchmarkDotNet.Running;
using Stasis.Benchmarks.Quick;

if (args is ["quick"])
    return QuickMode.Run();

BenchmarkSwitcher.FromAssembly(typeof(QuickMode).Assembly).Run(args);
return 0;
