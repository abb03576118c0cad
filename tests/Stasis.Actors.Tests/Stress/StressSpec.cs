using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Stasis.Actors.Tests.Support;

namespace Stasis.Actors.Tests.Stress;

/// <summary>
/// Concurrency and fault runs, each a few seconds of work at most. Every run checks: live subscriptions got every
/// message published to them, in order, exactly once; ended ones got their final message exactly once and last; no
/// publisher saw an exception; the subscriber sets returned to their starting size.
/// </summary>
[Trait("Category", "Stress")]
public sealed class StressSpec : TickSpec
{
    private const int Publishers = 8;
    private const int PerPublisher = 3000;

    private readonly ConcurrentQueue<Exception> _publisherErrors = new();

    /// <summary>An actor subscriber that stops itself after <c>lifetime</c> ticks, without unsubscribing.</summary>
    private sealed class DyingSubscriber : ReceiveActor
    {
        public DyingSubscriber(int lifetime, ConcurrentQueue<Tick> seen)
        {
            Receive<StasisEnvelope>(e =>
            {
                if (e.Message.Data is not Tick tick)
                    return;
                seen.Enqueue(tick);
                if (seen.Count == lifetime)
                    Context.Stop(Self);
            });
        }
    }

    /// <summary>Runs each worker on a thread of its own (not the pool Akka runs on), all released at once.</summary>
    private static Task RunThreads(IEnumerable<Action> workers)
    {
        var start = new ManualResetEventSlim(false);
        var ends = workers.Select(work =>
        {
            var end = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            new Thread(() =>
            {
                start.Wait();
                try
                {
                    work();
                    end.SetResult();
                }
                catch (Exception ex)
                {
                    end.SetException(ex);
                }
            }) { IsBackground = true }.Start();
            return end.Task;
        }).ToList();
        start.Set();
        return Task.WhenAll(ends);
    }

    /// <summary>Publisher <paramref name="publisher"/> publishes ticks 0 .. count - 1; anything thrown is recorded.</summary>
    private Action Publisher(int publisher, Topic topic, MessageType<Tick> type, int count = PerPublisher, Func<bool>? keepGoing = null) => () =>
    {
        for (var seq = 0; seq < count || keepGoing?.Invoke() == true; seq++)
        {
            try
            {
                topic.Publish(type, new Tick(publisher, seq));
            }
            catch (Exception ex)
            {
                _publisherErrors.Enqueue(ex);
            }
        }
    };

    private static Dictionary<int, int> Published(Func<int, bool> which) =>
        Enumerable.Range(0, Publishers).Where(which).ToDictionary(p => p, _ => PerPublisher);

    private TimeSpan Budget => Dilated(TimeSpan.FromSeconds(20));

    [Fact]
    public async Task Churn_while_eight_threads_publish_keeps_every_promise()
    {
        var leaves = Enumerable.Range(0, 4).Select(i => Bus.CreateTopic($"leaf-{i}")).ToArray();
        var parent = Bus.CreateTopic("parent");
        var extra = Bus.CreateTopic("extra"); // forwards into it come and go: its subscribers may see gaps, never disorder
        foreach (var leaf in leaves)
            Bus.ForwardAll(leaf, parent);
        var stable = leaves.Select((leaf, i) => (Topic: leaf, Expected: Published(p => p % 4 == i)))
            .Append((Topic: parent, Expected: Published(_ => true)))
            .Select(s => { var log = new SubscriberLog(); return (Sub: s.Topic.Subscribe(log.Handler()), Log: log, s.Expected); })
            .ToList();
        var topics = leaves.Append(parent).Append(extra).ToArray();
        var startSizes = topics.Select(t => t.SubscriberCount).ToArray();

        var churned = new ConcurrentQueue<(Subscription Sub, SubscriberLog Log)>();
        var dying = new ConcurrentQueue<(Subscription Sub, ConcurrentQueue<Tick> Seen)>();
        var publishing = Publishers;
        bool Publishing() => Volatile.Read(ref publishing) > 0;
        var workers = Enumerable.Range(0, Publishers)
            .Select(p => Publisher(p, leaves[p % 4], TickType))
            .Select(work => (Action)(() => { work(); Interlocked.Decrement(ref publishing); }))
            .Concat(Enumerable.Range(0, 2).Select(c => (Action)(() =>
            {
                var mine = new Queue<Subscription>();
                for (var i = 0; i < 150 && Publishing(); i++)
                {
                    var log = new SubscriberLog();
                    var sub = topics[(i + c) % topics.Length].Subscribe(log.Handler());
                    churned.Enqueue((sub, log));
                    mine.Enqueue(sub);
                    if (mine.Count > 3)
                        mine.Dequeue().Unsubscribe();
                }
            })))
            .Append(() =>
            {
                for (var i = 0; i < 2000 && Publishing(); i++)
                    Bus.ForwardAll(leaves[i % 4], extra).Cancel();
            })
            .Append(() =>
            {
                for (var i = 0; i < 30 && Publishing(); i++)
                {
                    var seen = new ConcurrentQueue<Tick>();
                    var actor = Sys.ActorOf(Props.Create(() => new DyingSubscriber(20 + i, seen)));
                    dying.Enqueue((leaves[i % 4].Subscribe(actor), seen));
                }
            });
        await RunThreads(workers).WaitAsync(Budget);

        foreach (var (sub, _) in churned)
            sub.Unsubscribe();
        foreach (var (sub, seen) in dying.Where(d => d.Seen.Count < 20))
            sub.Unsubscribe(); // never reached its lifetime: ended here instead
        await Task.WhenAll(churned.Select(c => c.Sub.JoinAsync()).Concat(dying.Select(d => d.Sub.JoinAsync()))).WaitAsync(Budget);

        Assert.Empty(_publisherErrors);
        Assert.Equal(startSizes, topics.Select(t => t.SubscriberCount));
        foreach (var (sub, log) in churned)
            log.AssertFramedAndContiguous(sub, gapsAllowed: ReferenceEquals(sub.Topic, extra));
        foreach (var (sub, seen) in dying)
            AssertContiguous(sub, seen);
        foreach (var (sub, log, expected) in stable)
        {
            await sub.UnsubscribeAndJoinAsync().WaitAsync(Budget);
            log.AssertFramedAndContiguous(sub);
            log.AssertReceivedAll(sub, expected);
        }
    }

    [Fact]
    public async Task Handler_throwing_on_every_7th_message_loses_nothing_else()
    {
        var leaves = Enumerable.Range(0, 4).Select(i => Bus.CreateTopic($"leaf-{i}")).ToArray();
        var parent = Bus.CreateTopic("parent");
        foreach (var leaf in leaves)
            Bus.ForwardAll(leaf, parent);
        var failing = new SubscriberLog();
        var failingSub = parent.Subscribe(failing.Handler((call, _) => call % 7 == 0));
        var healthy = new SubscriberLog();
        var healthySub = parent.Subscribe(healthy.Handler());

        await RunThreads(Enumerable.Range(0, Publishers).Select(p => Publisher(p, leaves[p % 4], TickType))).WaitAsync(Budget);
        await Task.WhenAll(failingSub.UnsubscribeAndJoinAsync(), healthySub.UnsubscribeAndJoinAsync()).WaitAsync(Budget);

        Assert.Empty(_publisherErrors);
        foreach (var (sub, log) in new[] { (failingSub, failing), (healthySub, healthy) })
        {
            log.AssertFramedAndContiguous(sub);
            log.AssertReceivedAll(sub, Published(_ => true));
        }
        Assert.Equal((failing.Calls.Count - 1) / 7, failingSub.FailedCount);
        Assert.Equal(0, parent.SubscriberCount);
    }

    [Fact]
    public async Task Slow_handler_fires_the_water_marks_and_loses_nothing()
    {
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(Warning));
        Sys.EventStream.Subscribe(events.Ref, typeof(Info));
        var topic = Bus.CreateTopic("slow");
        var slow = new SubscriberLog();
        // ~20 µs of work per message: far more than 10x what a publish costs.
        var slowSub = topic.Subscribe(slow.Handler(work: _ => SpinFor(TimeSpan.FromTicks(200))), new SubscriptionOptions { Name = "slow-one", HighWaterMark = 100 });
        var overloadSeen = 0;

        await RunThreads(Enumerable.Range(0, Publishers).Select(p => (Action)(() =>
        {
            Publisher(p, topic, TickType, PerPublisher / 4)();
            if (Bus.IsOverloaded)
                Interlocked.Exchange(ref overloadSeen, 1);
        }))).WaitAsync(Budget);

        Assert.Equal(1, overloadSeen);
        events.FishForMessage<Warning>(w => w.Message.ToString()!.Contains("slow-one"), Budget);
        events.FishForMessage<Info>(i => i.Message.ToString()!.Contains("slow-one"), Budget);
        Eventually(() => !Bus.IsOverloaded, 20);
        await slowSub.UnsubscribeAndJoinAsync().WaitAsync(Budget);
        Assert.Empty(_publisherErrors);
        slow.AssertFramedAndContiguous(slowSub);
        slow.AssertReceivedAll(slowSub, Enumerable.Range(0, Publishers).ToDictionary(p => p, _ => PerPublisher / 4));
    }

    [Fact]
    public async Task Subscribers_that_die_mid_stream_leave_and_the_others_receive_everything()
    {
        var topic = Bus.CreateTopic("mortal");
        var survivor = new SubscriberLog();
        var survivorSub = topic.Subscribe(survivor.Handler());
        var dying = Enumerable.Range(1, 16).Select(i =>
        {
            var seen = new ConcurrentQueue<Tick>();
            var lifetime = i * 100;
            return (Sub: topic.Subscribe(Sys.ActorOf(Props.Create(() => new DyingSubscriber(lifetime, seen)))), Seen: seen, Lifetime: lifetime);
        }).ToList();

        await RunThreads(Enumerable.Range(0, Publishers).Select(p => Publisher(p, topic, TickType))).WaitAsync(Budget);
        await Task.WhenAll(dying.Select(d => d.Sub.JoinAsync())).WaitAsync(Budget); // each ends by itself

        Assert.Empty(_publisherErrors);
        Assert.Equal(1, topic.SubscriberCount);
        foreach (var (sub, seen, lifetime) in dying)
        {
            Assert.Equal(lifetime, seen.Count);
            AssertContiguous(sub, seen);
        }
        await survivorSub.UnsubscribeAndJoinAsync().WaitAsync(Budget);
        survivor.AssertFramedAndContiguous(survivorSub);
        survivor.AssertReceivedAll(survivorSub, Published(_ => true));
    }

    [Fact]
    public async Task Shutdown_in_the_middle_of_publishing_and_churn_ends_every_subscription_once()
    {
        var system = ActorSystem.Create("stress-shutdown-" + Guid.NewGuid().ToString("N"), ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        try
        {
            var bus = StasisBus.Get(system);
            var tick = bus.CreateMessageType<Tick>("tick");
            var leaves = Enumerable.Range(0, 4).Select(i => bus.CreateTopic($"leaf-{i}")).ToArray();
            var parent = bus.CreateTopic("parent");
            foreach (var leaf in leaves)
                bus.ForwardAll(leaf, parent);
            var subs = new ConcurrentQueue<(Subscription Sub, SubscriberLog Log)>();
            foreach (var topic in leaves.Append(parent))
            {
                var log = new SubscriberLog();
                subs.Enqueue((topic.Subscribe(log.Handler()), log));
            }
            var firstStable = subs.First(s => ReferenceEquals(s.Sub.Topic, parent)).Sub;

            var shutdownDone = 0;
            bool BeforeShutdownEnds() => Volatile.Read(ref shutdownDone) == 0;
            var churnErrors = new ConcurrentQueue<Exception>();
            var workers = Enumerable.Range(0, Publishers)
                .Select(p => Publisher(p, leaves[p % 4], tick, PerPublisher, BeforeShutdownEnds))
                .Append(() =>
                {
                    for (var i = 0; BeforeShutdownEnds() && i < 5000; i++)
                    {
                        try
                        {
                            var log = new SubscriberLog();
                            var sub = leaves[i % 4].Subscribe(log.Handler());
                            subs.Enqueue((sub, log));
                            if (i % 2 == 0)
                                sub.Unsubscribe();
                        }
                        catch (ObjectDisposedException)
                        {
                            // documented: subscribing to a topic the shutdown already disposed
                        }
                        catch (Exception ex)
                        {
                            churnErrors.Enqueue(ex);
                        }
                    }
                })
                .Append(() =>
                {
                    AwaitCondition(() => firstStable.HandledCount > 2000, Budget);
                    CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance).Wait(Budget);
                    Interlocked.Exchange(ref shutdownDone, 1);
                });
            await RunThreads(workers).WaitAsync(Budget);
            leaves[0].Publish(tick, new Tick(99, 0)); // after the shutdown: a counted no-op

            Assert.Empty(_publisherErrors);
            Assert.Empty(churnErrors);
            Assert.True(bus.GetStatistics().ShutdownPublishes > 0);
            Assert.Empty(bus.Topics);
            foreach (var (sub, log) in subs)
            {
                Assert.True(sub.JoinAsync().IsCompletedSuccessfully, $"{sub} was not joined by the shutdown");
                log.AssertFramedAndContiguous(sub);
            }
            foreach (var (sub, log) in subs.Take(5))
                log.AssertPrefix(sub);
        }
        finally
        {
            await system.Terminate().WaitAsync(Budget);
        }
    }

    private static void AssertContiguous(Subscription sub, IEnumerable<Tick> seen)
    {
        foreach (var publisher in seen.GroupBy(t => t.Publisher))
        {
            var seqs = publisher.Select(t => t.Seq).ToList();
            Assert.True(seqs.Zip(seqs.Skip(1)).All(p => p.Second == p.First + 1), $"{sub}: publisher {publisher.Key}'s ticks have a gap or disorder");
        }
    }

    private static void SpinFor(TimeSpan work)
    {
        var until = DateTime.UtcNow + work;
        while (DateTime.UtcNow < until)
            Thread.SpinWait(20);
    }
}
