using BenchmarkDotNet.Running;
using Stasis.Benchmarks.Quick;

if (args is ["quick", .. var rest])
    return QuickMode.Run(rest);
if (args is ["quick-one", var item])
    return QuickMode.RunItem(item);

BenchmarkSwitcher.FromAssembly(typeof(QuickMode).Assembly).Run(args);
return 0;
