using Akka.Actor;
using Stasis.Actors.Messages;
using Stasis.Actors.Topics.Internal;

namespace Stasis.Actors.Subscriptions.Internal;

/// <summary>A publish-sync delivery: the handler runs, then <see cref="Done"/> completes (false if it never runs).</summary>
internal sealed record SyncDelivery(StasisEnvelope Envelope, TaskCompletionSource<bool> Done) : Akka.Event.IDeadLetterSuppression;

/// <summary>
/// The actor behind a <see cref="Subscription"/>: its mailbox is the subscription's queue, which makes delivery
/// ordered and serialized. A child of its topic's actor, which supervises it.
/// </summary>
internal sealed class SubscriptionActor : ActorBase
{
    private readonly Subscription _subscription;
    private readonly IActorContext _context; // kept: reaching it through ActorBase.Context per message costs a thread-static read

    public SubscriptionActor(Subscription subscription)
    {
        _subscription = subscription;
        _context = Context;
        subscription.AttachCounters();
    }

    public static Props Props(Subscription subscription, string? dispatcher)
    {
        var props = Akka.Actor.Props.CreateBy(new Producer(subscription));
        return dispatcher is null ? props : props.WithDispatcher(dispatcher);
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
            case StasisMessage published: // the sender names the original topic of a forwarded message (TopicSender)
                _subscription.Handle(_context.Sender is TopicSender forwarded ? forwarded.Topic : _subscription.Topic, published);
                return true;
            case StasisEnvelope envelope: // queued by the bus itself with the topic it came through
                _subscription.Handle(envelope.Topic, envelope.Message);
                return true;
            case SyncDelivery sync:
                try
                {
                    _subscription.Handle(sync.Envelope.Topic, sync.Envelope.Message);
                    sync.Done.TrySetResult(true);
                }
                catch (Exception ex)
                {
                    sync.Done.TrySetException(ex);
                    throw;
                }
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
