using Akka.Actor;

namespace Stasis.Actors.Internal;

/// <summary>What one incarnation of a subscription's actor calls for each message: a callback (sync or async) or an actor subscriber.</summary>
internal sealed class Handler
{
    private readonly SubscriptionHandler? _sync;
    private readonly AsyncSubscriptionHandler? _async;
    private readonly IActorRef? _target;

    private Handler(SubscriptionHandler? sync, AsyncSubscriptionHandler? async, IActorRef? target) =>
        (_sync, _async, _target) = (sync, async, target);

    public static Handler Of(SubscriptionHandler handler) => new(handler, null, null);

    public static Handler Of(AsyncSubscriptionHandler handler) => new(null, handler, null);

    /// <summary>Passes each message to <paramref name="target"/> as a <see cref="StasisEnvelope"/>.</summary>
    public static Handler Of(IActorRef target) => new(null, null, target);

    /// <summary>True for a synchronous callback.</summary>
    public bool IsSync => _sync is not null;

    /// <summary>The actor subscriber, or null for a callback.</summary>
    public IActorRef? Target => _target;

    public ValueTask Invoke(Subscription subscription, Topic topic, StasisMessage message)
    {
        if (_sync is { } sync)
        {
            sync(subscription, topic, message);
            return default;
        }
        if (_async is { } async)
            return async(subscription, topic, message);
        _target!.Tell(new StasisEnvelope(topic, message), ActorRefs.NoSender);
        return default;
    }
}
