using Akka.Actor;
using Akka.Event;

namespace Stasis.Actors.Subscriptions.Internal;

/// <summary>A publish-sync delivery: the handler runs, then <see cref="Done"/> completes (false if it never runs).</summary>
internal sealed record SyncDelivery(StasisEnvelope Envelope, TaskCompletionSource<bool> Done);

/// <summary>
/// The actor behind a <see cref="Subscription"/>: the only reader of the subscription's queue
/// (<see cref="SubscriptionQueue"/>), so deliveries are handled in order and one at a time. Publishers wake it up with
/// <see cref="Wake"/> when the queue goes from idle to busy. A child of its topic's actor, which supervises it.
/// </summary>
internal sealed class SubscriptionActor : ActorBase
{
    private readonly Subscription _subscription;
    private readonly int _batch;

    public SubscriptionActor(Subscription subscription)
    {
        _subscription = subscription;
        // Deliveries handled per wake-up: the dispatcher's throughput (how many messages an actor handles per turn).
        _batch = Math.Max(1, Context.Dispatcher.Throughput);
        subscription.AttachCounters();
    }

    public static Props Props(Subscription subscription, string? dispatcher)
    {
        var props = Akka.Actor.Props.CreateBy(new Producer(subscription)).WithMailbox(SubscriptionMailbox.ConfigPath);
        return dispatcher is null ? props : props.WithDispatcher(dispatcher);
    }

    /// <summary>Tells the actor that its subscription's queue has deliveries to handle.</summary>
    public sealed class Wake : IDeadLetterSuppression
    {
        public static readonly Wake Instance = new();

        private Wake()
        {
        }
    }

    /// <summary>
    /// Told once the subscription has joined its topic: only then is its actor subscriber watched, so a subscriber
    /// that is already dead ends a subscription that has joined (and was announced), never one that has not yet.
    /// </summary>
    public sealed class WatchTarget
    {
        public static readonly WatchTarget Instance = new();

        private WatchTarget()
        {
        }
    }

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case Wake:
                _subscription.HandleQueued(Self, _batch);
                return true;
            case WatchTarget when _subscription.Target is { } target:
                Context.Watch(target); // kept by the actor's cell across restarts
                return true;
            case Terminated terminated when terminated.ActorRef.Equals(_subscription.Target):
                // An actor subscriber that stops without unsubscribing must not stay in the topic's subscriber set.
                _subscription.Unsubscribe();
                return true;
            default:
                return false;
        }
    }

    // A restart keeps the subscription going: PostStop (and so the final message) must not run.
    protected override void PreRestart(Exception reason, object message)
    {
    }

    protected override void PostStop() => _subscription.OnStopped();

    private sealed class Producer(Subscription subscription) : IIndirectActorProducer
    {
        public Type ActorType => typeof(SubscriptionActor);

        public ActorBase Produce() => new SubscriptionActor(subscription);

        public void Release(ActorBase actor)
        {
        }
    }
}
