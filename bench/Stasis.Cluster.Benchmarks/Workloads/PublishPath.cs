using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Stasis.Actors;
using Stasis.Actors.Cluster;

namespace Stasis.Cluster.Benchmarks.Workloads;

/// <summary>
/// One way of publishing from node 0 to every receiver: <see cref="Run"/> publishes a round of messages and returns
/// the time until every receiver has all of them.
/// </summary>
public abstract class PublishPath(BenchCluster cluster)
{
    private long _published;

    protected BenchCluster Cluster { get; } = cluster;

    protected Arrivals[] Receivers { get; set; } = [];

    public abstract string Name { get; }

    /// <summary>Publishes <paramref name="messages"/> messages and waits until every receiver has them.</summary>
    public async Task<TimeSpan> Run(int messages)
    {
        _published += messages;
        var all = Task.WhenAll(Receivers.Select(r => r.Expect(_published)));
        var watch = Stopwatch.StartNew();
        Publish(messages);
        await all.WaitAsync(TimeSpan.FromMinutes(5));
        return watch.Elapsed;
    }

    /// <summary>Publishes <paramref name="messages"/> messages from node 0 on this thread.</summary>
    protected abstract void Publish(int messages);
}

/// <summary>
/// Stasis: node 0 publishes on the clustered topic <c>bench</c>; one callback subscription per receiving node counts
/// (<c>topic.Publish(type, new Sample(...))</c>, as an application does).
/// </summary>
public sealed class StasisPath : PublishPath
{
    private Topic _topic = null!;
    private MessageType<Sample> _type = null!;

    private StasisPath(BenchCluster cluster)
        : base(cluster)
    {
    }

    public override string Name => "stasis clustered topic";

    public static async Task<StasisPath> Create(BenchCluster cluster)
    {
        var path = new StasisPath(cluster);
        var nodes = cluster.Nodes;
        var topics = nodes.Select(n => n.MarkClustered("bench")).ToArray();
        var types = nodes.Select(n => n.Bus.CreateMessageType<Sample>("bench_sample")).ToArray();
        foreach (var (node, topic) in nodes.Zip(topics))
            await node.WaitForSubscribersAsync(topic, nodes.Length - 1, TimeSpan.FromSeconds(60));
        path.Receivers = [.. cluster.Receivers.Select(node =>
        {
            var arrivals = new Arrivals();
            topics[Array.IndexOf(nodes, node)].Subscribe((_, _, message) =>
            {
                if (message.Data is Sample)
                    arrivals.Arrived();
            });
            return arrivals;
        })];
        (path._topic, path._type) = (topics[0], types[0]);
        return path;
    }

    protected override void Publish(int messages)
    {
        for (var seq = 0; seq < messages; seq++)
            _topic.Publish(_type, new Sample(seq, "channel snapshot"));
    }
}

/// <summary>
/// Raw DistributedPubSub as a user writes it: node 0 Tells its mediator <c>Publish("raw-bench", new Sample(...))</c>;
/// one counting actor per receiving node is subscribed to that topic. The record goes through Akka's default
/// serialization for <c>object</c> (nothing is configured for it), as it would in an application.
/// </summary>
public sealed class RawPath : PublishPath
{
    private const string Topic = "raw-bench";
    private IActorRef _mediator = ActorRefs.Nobody;

    private RawPath(BenchCluster cluster)
        : base(cluster)
    {
    }

    public override string Name => "raw DistributedPubSub";

    public static async Task<RawPath> Create(BenchCluster cluster)
    {
        var path = new RawPath(cluster);
        var receivers = new List<Arrivals>();
        var ready = new List<Task>();
        foreach (var node in cluster.Receivers)
        {
            var arrivals = new Arrivals();
            var warmedUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var counter = node.System.ActorOf(Props.Create(() => new CountingActor(arrivals, warmedUp)));
            await DistributedPubSub.Get(node.System).Mediator.Ask<SubscribeAck>(new Subscribe(Topic, counter), TimeSpan.FromSeconds(30));
            receivers.Add(arrivals);
            ready.Add(warmedUp.Task);
        }
        path.Receivers = [.. receivers];
        path._mediator = DistributedPubSub.Get(cluster.Nodes[0].System).Mediator;
        // Until every counter got a message, node 0's mediator may not know them all yet (DistributedPubSub gossip).
        var all = Task.WhenAll(ready);
        var deadline = Stopwatch.StartNew();
        while (!all.IsCompleted)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                throw new TimeoutException("The raw DistributedPubSub subscribers were not reached within 60 s.");
            path._mediator.Tell(new Publish(Topic, new Sample(-1, "warm-up")));
            await Task.WhenAny(all, Task.Delay(100));
        }
        return path;
    }

    protected override void Publish(int messages)
    {
        for (var seq = 0; seq < messages; seq++)
            _mediator.Tell(new Publish(Topic, new Sample(seq, "channel snapshot")));
    }

    private sealed class CountingActor(Arrivals arrivals, TaskCompletionSource warmedUp) : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            if (message is not Sample sample)
                return;
            if (sample.Seq < 0)
                warmedUp.TrySetResult();
            else
                arrivals.Arrived();
        }
    }
}
