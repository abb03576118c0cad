using BenchmarkDotNet.Running;
using Stasis.Benchmarks.Quick;

if (args is ["quick", .. var rest])
    return QuickMode.Run(rest.FirstOrDefault());

BenchmarkSwitcher.FromAssembly(typeof(QuickMode).Assembly).Run(args);
return 0;
