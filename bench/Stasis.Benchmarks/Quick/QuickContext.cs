using Akka.Actor;
using Akka.Configuration;
using Stasis.Actors;

namespace Stasis.Benchmarks.Quick;

/// <summary>The systems every quick-mode case runs on: one Akka system (Stasis and the Akka baselines share it) and one Proto.Actor system.</summary>
public sealed class QuickContext : IDisposable
{
    public QuickContext()
    {
        Akka = ActorSystem.Create("bench", ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING\nstasis.subscription.high-water-mark = 100000000"));
        Bus = StasisBus.Get(Akka);
        Proto = new Proto.ActorSystem();
    }

    public ActorSystem Akka { get; }

    public StasisBus Bus { get; }

    public Proto.ActorSystem Proto { get; }

    /// <summary>Prints a detail line (absolute numbers behind a ratio); detail lines start with '#'.</summary>
    public void Info(string line) => Console.WriteLine("# " + line);

    public void Dispose()
    {
        Proto.ShutdownAsync().Wait(TimeSpan.FromSeconds(10));
        Akka.Terminate().Wait(TimeSpan.FromSeconds(30));
    }
}
