using Akka.Actor;
using Stasis.Actors;
using Stasis.Benchmarks.Suites;

namespace Stasis.Benchmarks.Quick;

/// <summary>The systems every quick-mode case runs on (Stasis and the Akka baselines share one Akka system) and its output.</summary>
public sealed class QuickContext : IDisposable
{
    private readonly Systems _systems = new();

    public ActorSystem Akka => _systems.Akka;

    public StasisBus Bus => _systems.Bus;

    public Proto.ActorSystem Proto => _systems.Proto;

    /// <summary>Prints a detail line (absolute numbers behind a ratio); detail lines start with '#'.</summary>
    public void Info(string line) => Console.WriteLine("# " + line);

    public void Dispose() => _systems.Dispose();
}
