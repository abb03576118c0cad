using Akka.Actor;
using Akka.Configuration;
using Stasis.Actors;

namespace Stasis.Benchmarks.Suites;

/// <summary>The actor systems of one BenchmarkDotNet suite: Akka (hosting the Stasis bus) and Proto.Actor.</summary>
public sealed class Systems : IDisposable
{
    /// <summary>Akka/Stasis configuration shared with the quick mode: warnings only, no congestion warnings while flooding.</summary>
    public const string Hocon = "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING\nstasis.subscription.high-water-mark = 100000000";

    public Systems()
    {
        Akka = ActorSystem.Create("bench", ConfigurationFactory.ParseString(Hocon));
        Bus = StasisBus.Get(Akka);
        Proto = new Proto.ActorSystem();
    }

    public ActorSystem Akka { get; }

    public StasisBus Bus { get; }

    public Proto.ActorSystem Proto { get; }

    public void Dispose()
    {
        Proto.ShutdownAsync().Wait(TimeSpan.FromSeconds(10));
        Akka.Terminate().Wait(TimeSpan.FromSeconds(30));
    }
}
