using Akka.Actor;
using Akka.Configuration;
using Stasis.Actors;
using Stasis.Actors.Cluster;

namespace Stasis.Cluster.Soak;

/// <summary>A node's numbered beat, on the clustered topic <c>soak:beats</c>.</summary>
public sealed record Beat(long Seq);

/// <summary>A node's state snapshot, on the clustered topic <c>soak:state</c> under its caching topic.</summary>
public sealed record NodeState(long Seq);

/// <summary>
/// <c>node --port P --seed-port S [--stable-after SECONDS] [--plant KIND]</c>: one cluster node in its own process. It
/// publishes beats (and, every 20th, its state snapshot), checks the other nodes' beats with an
/// <see cref="OrderChecker"/>, and answers lines on standard input: <c>report</c> (a <see cref="NodeReport"/>),
/// <c>cache</c> (the EIDs its caching topic's cache holds entries of), <c>stop</c> (leave the cluster and exit; also
/// on end of input). Its answers are the lines starting with <see cref="Prefix"/>.
/// </summary>
public static class SoakNode
{
    public const string Prefix = "soak> ";

    /// <summary>Beats per tick and the tick: 500 beats per second per node.</summary>
    private const int BeatsPerTick = 5;

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    public static int Run(int port, int seedPort, int stableAfterSeconds, Plant plant)
    {
        // Failure detection and downing fast enough for a soak of a minute: a process killed is unreachable after
        // about 2 s, and downed once that has been stable for stable-after.
        var config = ConfigurationFactory.ParseString($"""
            akka.loglevel = WARNING
            akka.stdout-loglevel = WARNING
            akka.log-dead-letters = off
            akka.cluster.failure-detector.heartbeat-interval = 500ms
            akka.cluster.failure-detector.acceptable-heartbeat-pause = 2s
            akka.cluster.split-brain-resolver.stable-after = {stableAfterSeconds}s
            akka.cluster.pub-sub.gossip-interval = 500ms
            akka.cluster.shutdown-after-unsuccessful-join-seed-nodes = off
            """).WithFallback(StasisCluster.NodeConfig("soak", port, [$"127.0.0.1:{seedPort}"]));
        using var system = ActorSystem.Create("soak", config);
        var cluster = StasisCluster.Get(system);
        var bus = cluster.Bus;
        var beatType = bus.CreateMessageType<Beat>("soak_beat");
        var stateType = bus.CreateMessageType<NodeState>("soak_state");
        var beats = cluster.MarkClustered("soak:beats");
        var states = cluster.MarkClustered("soak:state");
        var cache = new StasisCache(bus, m => m.Type == stateType ? "node" : null);
        // The planted bug: a caching topic the cluster does not track, so nothing clears a departed node's entries.
        _ = plant == Plant.SkipPurge ? cache.CreateCachingTopic(states) : cluster.CreateCachingTopic(cache, states);

        var checker = new OrderChecker();
        var planted = new PlantedFault(plant);
        beats.Subscribe((_, _, message) =>
        {
            if (message is not StasisMessage<Beat> beat || beat.IsLocal)
                return;
            lock (checker)
                planted.Deliver(beat.Eid.Value, beat.Payload.Seq, checker.Observe);
        });

        var up = new TaskCompletionSource();
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        up.Task.Wait();
        Say($"ready {cluster.Eid.Value}");

        using var stopping = new CancellationTokenSource();
        var publisher = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(Tick);
            var seq = 0L;
            while (await timer.WaitForNextTickAsync(stopping.Token).ConfigureAwait(false))
            {
                for (var i = 0; i < BeatsPerTick; i++, seq++)
                {
                    beats.Publish(beatType, new Beat(seq));
                    if (seq % 20 == 0)
                        states.Publish(stateType, new NodeState(seq));
                }
            }
        });
        // A node downed by the others (its system terminates) exits on its own: the orchestrator sees the exit.
        var leaving = 0;
        system.WhenTerminated.ContinueWith(_ =>
        {
            if (Volatile.Read(ref leaving) == 0)
                Environment.Exit(3);
        }, TaskScheduler.Default);

        string? line;
        while ((line = Console.ReadLine()) is not null && line != "stop")
        {
            if (line == "report")
                lock (checker)
                    Say(checker.Report(cluster.Eid.Value).Format());
            else if (line == "cache")
                Say("cache " + string.Join(',', cache.DumpAll().Select(m => m.Eid.Value).Distinct()));
        }
        stopping.Cancel();
        try
        {
            publisher.Wait();
        }
        catch (AggregateException e) when (e.InnerException is OperationCanceledException)
        {
        }
        lock (checker)
            Say(checker.Report(cluster.Eid.Value).Format());
        Volatile.Write(ref leaving, 1);
        CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).Wait();
        return 0;
    }

    private static void Say(string line) => Console.Out.WriteLine(Prefix + line);
}

/// <summary>A bug planted on purpose, to show the soak's checks catch it.</summary>
public enum Plant
{
    None,

    /// <summary>The caching topic is not tracked by the cluster: a departed node's entries are never cleared.</summary>
    SkipPurge,

    /// <summary>The node hands its 200th remote beat to its checker twice.</summary>
    Duplicate,

    /// <summary>The node hands its 200th remote beat to its checker after the next beat of the same origin.</summary>
    Reorder,
}

/// <summary>Passes beats to the checker, or applies the planted <see cref="Plant.Duplicate"/> or <see cref="Plant.Reorder"/>.</summary>
public sealed class PlantedFault(Plant plant)
{
    private const int At = 200;
    private long _delivered;
    private (string Origin, long Seq)? _held;

    public void Deliver(string origin, long seq, Action<string, long> observe)
    {
        var n = ++_delivered;
        if (n == At && plant == Plant.Duplicate)
            observe(origin, seq);
        if (n == At && plant == Plant.Reorder)
        {
            _held = (origin, seq);
            return;
        }
        observe(origin, seq);
        if (_held is { } held && held.Origin == origin)
        {
            observe(held.Origin, held.Seq);
            _held = null;
        }
    }
}
