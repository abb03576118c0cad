using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Stasis.Actors;
using Stasis.Actors.Cluster;
using Stasis.Actors.Cluster.Internal;

namespace Stasis.Cluster.Benchmarks;

/// <summary>A benchmark payload.</summary>
public sealed record Sample(int Seq, string Text);

/// <summary>
/// Cross-node publish throughput over loopback: N in-process cluster nodes on 127.0.0.1; node 1 publishes M messages on
/// a clustered topic and every other node's subscriber must receive all of them (for one node: its own subscriber).
/// The same run measures raw DistributedPubSub: node 1 publishes M messages of the same record to a mediator topic
/// with one counting actor per node. Usage: <c>dotnet run -c Release --project bench/Stasis.Cluster.Benchmarks -- [--quick] [--messages M]</c>.
/// </summary>
public static class Program
{
    private const string SystemName = "stasis-bench";

    public static async Task<int> Main(string[] args)
    {
        var quick = args.Contains("--quick");
        var index = Array.IndexOf(args, "--messages");
        var messages = index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1]) : quick ? 20_000 : 100_000;
        Console.WriteLine($"Cross-node publish over loopback, {messages} messages per run, {Environment.ProcessorCount} cores");
        Console.WriteLine($"{"nodes",5} {"path",-28} {"msg/s",12} {"elapsed",10}");
        foreach (var nodeCount in new[] { 1, 3 })
        {
            var nodes = await StartCluster(nodeCount);
            try
            {
                Report(nodeCount, "Stasis clustered topic", messages, await StasisRun(nodes, messages));
                Report(nodeCount, "raw DistributedPubSub", messages, await RawRun(nodes, messages));
            }
            finally
            {
                await Task.WhenAll(nodes.Select(n => n.System.Terminate()));
            }
        }
        return 0;
    }

    private static void Report(int nodes, string path, int messages, TimeSpan elapsed) =>
        Console.WriteLine($"{nodes,5} {path,-28} {messages / elapsed.TotalSeconds,12:N0} {elapsed.TotalMilliseconds,8:N0}ms");

    private static async Task<TimeSpan> StasisRun(StasisCluster[] nodes, int messages)
    {
        var topics = nodes.Select(n => n.MarkClustered("bench")).ToArray();
        var types = nodes.Select(n => n.Bus.CreateMessageType<Sample>("bench_sample")).ToArray();
        foreach (var (node, topic) in nodes.Zip(topics))
            await node.WaitForSubscribersAsync(topic, nodes.Length - 1, TimeSpan.FromSeconds(60));
        var receivers = nodes.Length == 1 ? topics : topics[1..];
        var done = receivers.Select(topic =>
        {
            var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var count = 0;
            topic.Subscribe((_, _, message) =>
            {
                if (message.Data is Sample && ++count == messages)
                    finished.TrySetResult();
            });
            return finished.Task;
        }).ToArray();
        var watch = Stopwatch.StartNew();
        for (var seq = 0; seq < messages; seq++)
            topics[0].Publish(types[0], new Sample(seq, "channel snapshot"));
        await Task.WhenAll(done).WaitAsync(TimeSpan.FromMinutes(5));
        return watch.Elapsed;
    }

    private static async Task<TimeSpan> RawRun(StasisCluster[] nodes, int messages)
    {
        var receivers = (nodes.Length == 1 ? nodes : nodes[1..]).Select(n => new CountingActor.Signals(messages)).ToArray();
        var receiverNodes = nodes.Length == 1 ? nodes : nodes[1..];
        for (var i = 0; i < receivers.Length; i++)
        {
            var signals = receivers[i];
            var counter = receiverNodes[i].System.ActorOf(Props.Create(() => new CountingActor(signals)));
            await DistributedPubSub.Get(receiverNodes[i].System).Mediator.Ask<SubscribeAck>(new Subscribe("raw-bench", counter), TimeSpan.FromSeconds(30));
        }
        var mediator = DistributedPubSub.Get(nodes[0].System).Mediator;
        // Warm up until every receiver got a message: the publisher's mediator then knows them all (DistributedPubSub gossip).
        var ready = Task.WhenAll(receivers.Select(r => r.Ready.Task));
        while (!ready.IsCompleted)
        {
            mediator.Tell(new Publish("raw-bench", new Sample(-1, "warm-up")));
            await Task.WhenAny(ready, Task.Delay(100));
        }
        var watch = Stopwatch.StartNew();
        for (var seq = 0; seq < messages; seq++)
            mediator.Tell(new Publish("raw-bench", new Sample(seq, "channel snapshot")));
        await Task.WhenAll(receivers.Select(r => r.Done.Task)).WaitAsync(TimeSpan.FromMinutes(5));
        return watch.Elapsed;
    }

    private static async Task<StasisCluster[]> StartCluster(int count)
    {
        var seedPort = LoopbackPort.Free();
        var nodes = Enumerable.Range(0, count).Select(i =>
        {
            var config = ConfigurationFactory.ParseString("""
                akka.loglevel = ERROR
                stasis.subscription.high-water-mark = 10000000
                akka.cluster.pub-sub.gossip-interval = 200ms
                akka.cluster.gossip-interval = 200ms
                akka.cluster.leader-actions-interval = 200ms
                """).WithFallback(StasisCluster.NodeConfig(SystemName, i == 0 ? seedPort : LoopbackPort.Free(), [$"127.0.0.1:{seedPort}"]));
            return StasisCluster.Get(ActorSystem.Create(SystemName, config));
        }).ToArray();
        var deadline = Stopwatch.StartNew();
        while (nodes.Any(n => Akka.Cluster.Cluster.Get(n.System).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) < count))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                throw new TimeoutException("The benchmark cluster did not form within 60 s.");
            await Task.Delay(100);
        }
        return nodes;
    }

    private sealed class CountingActor : UntypedActor
    {
        private readonly Signals _signals;
        private int _count;

        public CountingActor(Signals signals) => _signals = signals;

        protected override void OnReceive(object message)
        {
            if (message is not Sample sample)
                return;
            if (sample.Seq < 0)
                _signals.Ready.TrySetResult();
            else if (++_count == _signals.Target)
                _signals.Done.TrySetResult();
        }

        public sealed class Signals(int target)
        {
            public int Target { get; } = target;

            public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
