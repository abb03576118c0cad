using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Stasis.Actors.Cluster;
using Stasis.Actors.Cluster.Internal;
using Xunit.Abstractions;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Stasis.Actors.Cluster.Tests.Support;

/// <summary>A test payload: a publisher id and its sequence number.</summary>
public sealed record Ping(int Publisher, int Seq);

/// <summary>A device state reported by one node, for clustered caches.</summary>
public sealed record DeviceState(string Device, int Load);

/// <summary>
/// Base of the cluster specs: node A is the TestKit's own system, further nodes are started with <see cref="StartNode"/>;
/// all listen on 127.0.0.1 on free ports and join A. Every node is terminated in <see cref="Dispose(bool)"/>.
/// </summary>
public abstract class ClusterSpec : TestKit
{
    protected const string SystemName = "stasis-cluster-test";

    private static readonly string TestConfig = """
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.log-dead-letters = off
        akka.cluster.gossip-interval = 200ms
        akka.cluster.leader-actions-interval = 200ms
        akka.cluster.periodic-tasks-initial-delay = 100ms
        akka.cluster.pub-sub.gossip-interval = 200ms
        akka.cluster.failure-detector.heartbeat-interval = 500ms
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 5s
        akka.cluster.split-brain-resolver.stable-after = 2s
        akka.cluster.shutdown-after-unsuccessful-join-seed-nodes = off
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        """;

    private readonly ConcurrentBag<ActorSystem> _nodes = [];

    protected ClusterSpec(ITestOutputHelper output)
        : this(output, LoopbackPort.Free())
    {
    }

    private ClusterSpec(ITestOutputHelper output, int seedPort)
        : base(NodeConfig("node-a", seedPort, seedPort), SystemName, output)
    {
        SeedPort = seedPort;
        A = StasisCluster.Get(Sys);
    }

    /// <summary>Node A: the TestKit's system, the seed of the cluster.</summary>
    protected StasisCluster A { get; }

    protected int SeedPort { get; }

    /// <summary>A generous wait for a cluster outcome, scaled by akka.test.timefactor.</summary>
    protected TimeSpan Patience => Dilated(TimeSpan.FromSeconds(30));

    /// <summary>Starts a node with EID <paramref name="eid"/> that joins A.</summary>
    protected StasisCluster StartNode(string eid, string extraConfig = "") => StasisCluster.Get(StartSystem(eid, extraConfig));

    /// <summary>Starts the actor system of a node with EID <paramref name="eid"/> that joins A.</summary>
    protected ActorSystem StartSystem(string eid, string extraConfig = "")
    {
        var system = ActorSystem.Create(SystemName, ConfigurationFactory.ParseString(extraConfig).WithFallback(NodeConfig(eid, LoopbackPort.Free(), SeedPort)));
        _nodes.Add(system);
        return system;
    }

    /// <summary>Waits until every given node sees <paramref name="nodes"/>.Length members up.</summary>
    protected void AwaitUp(params StasisCluster[] nodes) =>
        AwaitCondition(() => nodes.All(n => Akka.Cluster.Cluster.Get(n.System).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) == nodes.Length),
            Patience, Dilated(TimeSpan.FromMilliseconds(100)));

    /// <summary>Starts <paramref name="count"/> more nodes (EIDs node-b, node-c, ...), and waits until all are up with A.</summary>
    protected StasisCluster[] StartCluster(int count, string extraConfig = "")
    {
        var nodes = new[] { A }.Concat(Enumerable.Range(0, count).Select(i => StartNode("node-" + (char)('b' + i), extraConfig))).ToArray();
        AwaitUp(nodes);
        return nodes;
    }

    /// <summary>Clusters the topic <paramref name="name"/> on every node and waits until each node's publishes reach all others.</summary>
    protected async Task<Topic[]> ClusteredTopic(string name, params StasisCluster[] nodes)
    {
        foreach (var node in nodes)
            PingType(node);
        var topics = nodes.Select(n => n.MarkClustered(name)).ToArray();
        for (var i = 0; i < nodes.Length; i++)
            await nodes[i].WaitForSubscribersAsync(topics[i], nodes.Length - 1, Patience);
        return topics;
    }

    protected static MessageType<Ping> PingType(StasisCluster node) => node.Bus.CreateMessageType<Ping>("test_ping");

    protected Task Await(Task task) => task.WaitAsync(Patience);

    /// <summary>Subscribes a recorder that keeps every call of the handler.</summary>
    protected static Recorder Record(Topic topic, SubscriptionOptions? options = null)
    {
        var recorder = new Recorder();
        recorder.Subscription = topic.Subscribe(recorder.Add, options);
        return recorder;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            var stops = _nodes.Select(n => n.Terminate()).ToArray();
            Task.WaitAll(stops, TimeSpan.FromSeconds(20));
        }
        base.Dispose(disposing);
    }

    private static Config NodeConfig(string eid, int port, int seedPort) =>
        ConfigurationFactory.ParseString(TestConfig + $"\nstasis.eid = \"{eid}\"")
            .WithFallback(StasisCluster.NodeConfig(SystemName, port, [$"127.0.0.1:{seedPort}"]));
}

/// <summary>Keeps what a subscription's handler received; completes <see cref="Final"/> on the final message.</summary>
public sealed class Recorder
{
    private readonly ConcurrentQueue<StasisMessage> _messages = new();
    private readonly TaskCompletionSource _final = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Subscription Subscription { get; set; } = null!;

    public Task Final => _final.Task;

    public IReadOnlyList<StasisMessage> Messages => [.. _messages];

    public IReadOnlyList<T> Payloads<T>() where T : class => [.. _messages.Select(m => m.Data).OfType<T>()];

    public IReadOnlyList<StasisMessage<T>> Of<T>() where T : class => [.. _messages.OfType<StasisMessage<T>>()];

    public void Add(Subscription subscription, Topic topic, StasisMessage message)
    {
        _messages.Enqueue(message);
        if (subscription.IsFinalMessage(message))
            _final.TrySetResult();
    }
}
