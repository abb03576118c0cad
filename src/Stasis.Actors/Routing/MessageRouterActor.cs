using Akka.Actor;
using Stasis.Actors.Caching;
using Stasis.Actors.Messages;
using Stasis.Actors.Routing.Internal;
using Stasis.Actors.Subscriptions;
using Stasis.Actors.Topics;

namespace Stasis.Actors.Routing;

/// <summary>
/// The Akka-style message router: a base actor that subscribes itself to a topic and whose subclasses declare
/// routes on payload types, usually in their constructor, as a <c>ReceiveActor</c> does.
/// </summary>
/// <remarks>
/// <para>The actor subscribes in <c>PreStart</c> (as an actor subscriber, see
/// <see cref="Topic.Subscribe(IActorRef, SubscriptionOptions?)"/>) and unsubscribes in <c>PostStop</c>. Each
/// <see cref="StasisEnvelope"/> it receives is dispatched like <see cref="MessageRouter"/> does:
/// <see cref="Receive{T}"/> routes by payload type (most derived wins; a second route for a type is rejected with
/// <see cref="InvalidOperationException"/>), <see cref="ReceiveCacheUpdate{TSnapshot}"/> routes cache updates by their
/// snapshots' payload type, and <see cref="ReceiveAnyMessage"/> sets the default route, which receives the final
/// message. Without a default route, message types no route takes are filtered before queueing. While a route runs,
/// <see cref="CurrentEnvelope"/> holds the envelope (for the original topic).</para>
/// <para>Routes run on the actor, one message at a time, in publish order. Other messages go to
/// <see cref="ReceiveOther"/>. A route that throws is logged (topic, subscription, message type) and counted, and
/// its message skipped; the actor goes on in order. A restart for any other reason (by this actor's supervisor)
/// unsubscribes the old instance and subscribes the new one.</para>
/// </remarks>
public abstract class MessageRouterActor : ActorBase
{
    private readonly RouterCore _core;
    private readonly SubscriptionOptions? _options;
    private Subscription? _subscription;

    /// <summary>Prepares the router; it subscribes to <paramref name="topic"/> when the actor starts.</summary>
    /// <param name="topic">The topic to route.</param>
    /// <param name="options">Name, water marks and dispatcher of the subscription; its filter must be left unset.</param>
    protected MessageRouterActor(Topic topic, SubscriptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(topic);
        Topic = topic;
        _options = options;
        _core = new RouterCore(topic.Bus);
    }

    /// <summary>The routed topic.</summary>
    protected Topic Topic { get; }

    /// <summary>The router's subscription (set once the actor started).</summary>
    protected Subscription Subscription => _subscription ?? throw new InvalidOperationException("The router actor has not started yet.");

    /// <summary>The envelope being routed, or null outside a route.</summary>
    protected StasisEnvelope? CurrentEnvelope { get; private set; }

    /// <summary>Routes payloads of type <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidOperationException">A route for <typeparamref name="T"/> exists.</exception>
    protected void Receive<T>(Action<T> handler) where T : class
    {
        ArgumentNullException.ThrowIfNull(handler);
        _core.Change(t => t.WithRoute(typeof(T), (_, message) => handler((T)message.Data)));
    }

    /// <summary>Routes <see cref="CacheUpdate"/>s whose snapshots' payload is a <typeparamref name="TSnapshot"/>.</summary>
    /// <exception cref="InvalidOperationException">A cache route for <typeparamref name="TSnapshot"/> exists.</exception>
    protected void ReceiveCacheUpdate<TSnapshot>(Action<CacheUpdate> handler) where TSnapshot : class
    {
        ArgumentNullException.ThrowIfNull(handler);
        _core.Change(t => t.WithCacheRoute(typeof(TSnapshot), (_, message) => handler((CacheUpdate)message.Data)));
    }

    /// <summary>Sets (or replaces) the default route, which also receives the final message; turns filtering off.</summary>
    protected void ReceiveAnyMessage(Action<StasisMessage> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _core.Change(t => t.WithDefault((_, message) => handler(message)));
    }

    /// <summary>Removes the route for <typeparamref name="T"/>.</summary>
    protected void RemoveRoute<T>() where T : class => _core.Change(t => t.WithoutRoute(typeof(T)));

    /// <summary>Removes the cache route for <typeparamref name="TSnapshot"/>.</summary>
    protected void RemoveCacheRoute<TSnapshot>() where TSnapshot : class => _core.Change(t => t.WithoutCacheRoute(typeof(TSnapshot)));

    /// <summary>Removes the default route (filtering is on again).</summary>
    protected void RemoveDefaultRoute() => _core.Change(t => t.WithDefault(null));

    /// <summary>Handles a message that is not a <see cref="StasisEnvelope"/>; returns false (unhandled) by default.</summary>
    /// <param name="message">The message.</param>
    protected virtual bool ReceiveOther(object message) => false;

    /// <inheritdoc />
    protected sealed override bool Receive(object message)
    {
        if (message is not StasisEnvelope envelope || _subscription is null)
            return ReceiveOther(message);
        CurrentEnvelope = envelope;
        try
        {
            _core.Dispatch(_subscription, envelope.Topic, envelope.Message);
        }
        catch (Exception ex)
        {
            // A route failure is logged and counted, and the message skipped, as the "resume" policy does for callback
            // routers. Letting it reach this actor's supervisor would restart the actor, and a restart re-subscribes:
            // the old subscription's queue would then interleave with the new one's.
            var failure = new SubscriptionHandlerException(_subscription, envelope, ex);
            Topic.Bus.Diagnostics.HandlerFailed(Topic, failure, failure, Configuration.FailurePolicy.Resume);
        }
        finally
        {
            CurrentEnvelope = null;
        }
        return true;
    }

    /// <summary>Subscribes the actor to <see cref="Topic"/>. Overrides must call the base.</summary>
    protected override void PreStart() =>
        _subscription = _core.Subscribe(Topic, _options, o => Topic.Subscribe(Self, o));

    /// <summary>Unsubscribes the actor. Overrides must call the base.</summary>
    protected override void PostStop()
    {
        _subscription?.Unsubscribe();
        _core.StopWatching();
    }
}
