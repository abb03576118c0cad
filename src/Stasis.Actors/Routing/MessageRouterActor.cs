using Akka.Actor;
using Akka.Dispatch;
using Stasis.Actors.Configuration;
using Stasis.Actors.Internal;

namespace Stasis.Actors;

/// <summary>
/// The Akka-style message router: a base actor that subscribes itself to a topic and whose subclasses declare
/// routes on payload types, usually in their constructor, as a <c>ReceiveActor</c> does.
/// </summary>
/// <remarks>
/// <para>The actor subscribes in <c>PreStart</c> (as an actor subscriber, see
/// <see cref="Topic.Subscribe(IActorRef, SubscriptionOptions?)"/>) and unsubscribes in <c>PostStop</c>. Each
/// <see cref="StasisEnvelope"/> it receives is dispatched like <see cref="MessageRouter"/> does, with the same
/// precedence: <see cref="Receive{T}(MessageType{T}, Action{T})"/> routes one message type, <see cref="Receive{T}(Action{T})"/>
/// routes by payload type (most derived wins; a second route for a key is rejected with
/// <see cref="InvalidOperationException"/>), <see cref="ReceiveCacheUpdate{TSnapshot}"/> routes cache updates by their
/// snapshots' type, and <see cref="ReceiveAnyMessage"/> sets the default route, which receives the final
/// message. Without a default route, message types no route takes are filtered before queueing. While a route runs,
/// <see cref="CurrentEnvelope"/> holds the envelope (for the original topic).</para>
/// <para>Routes run on the actor, one message at a time, in publish order; an async route (<see cref="ReceiveAsync{T}(Func{T, Task})"/>)
/// is awaited before the next message, as <c>ReceiveActor.ReceiveAsync</c> does. Other messages go to
/// <see cref="ReceiveOther"/>. A route that throws is logged (topic, subscription, message type), counted and its
/// message skipped, then <c>stasis.subscription.failure-policy</c> applies: <c>resume</c> goes on; <c>stop</c>
/// unsubscribes (queued messages, then the final message, still arrive); <c>restart</c> throws the failure to this
/// actor's supervisor, whose restart makes a new instance (the constructor declares the routes again) that keeps the
/// subscription and its queue, so no message is lost or reordered.</para>
/// </remarks>
public abstract class MessageRouterActor : ActorBase
{
    private readonly RouterCore _core;
    private readonly SubscriptionOptions? _options;
    private Subscription? _subscription;
    private bool _restarting;

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

    /// <summary>Routes payloads of type <typeparamref name="T"/> (or derived from it).</summary>
    /// <exception cref="InvalidOperationException">A route for <typeparamref name="T"/> exists.</exception>
    protected void Receive<T>(Action<T> handler) where T : class => Add(typeof(T), Of(handler));

    /// <summary>Routes messages of <paramref name="type"/>, ahead of any route by payload type.</summary>
    /// <exception cref="InvalidOperationException">A route for <paramref name="type"/> exists.</exception>
    protected void Receive<T>(MessageType<T> type, Action<T> handler) where T : class => Add(Key(type), Of(handler));

    /// <summary>Routes payloads of type <typeparamref name="T"/> to an async handler, awaited before the next message.</summary>
    /// <exception cref="InvalidOperationException">A route for <typeparamref name="T"/> exists.</exception>
    protected void ReceiveAsync<T>(Func<T, Task> handler) where T : class => Add(typeof(T), Of(handler));

    /// <summary>Routes messages of <paramref name="type"/> to an async handler, awaited before the next message.</summary>
    /// <exception cref="InvalidOperationException">A route for <paramref name="type"/> exists.</exception>
    protected void ReceiveAsync<T>(MessageType<T> type, Func<T, Task> handler) where T : class => Add(Key(type), Of(handler));

    /// <summary>Routes <see cref="CacheUpdate"/>s whose snapshots' payload is a <typeparamref name="TSnapshot"/>.</summary>
    /// <exception cref="InvalidOperationException">A cache route for <typeparamref name="TSnapshot"/> exists.</exception>
    protected void ReceiveCacheUpdate<TSnapshot>(Action<CacheUpdate> handler) where TSnapshot : class =>
        _core.Change(t => t.WithCacheRoute(typeof(TSnapshot), Of(handler)));

    /// <summary>Routes <see cref="CacheUpdate"/>s whose <see cref="CacheUpdate.Type"/> is <paramref name="snapshotType"/>.</summary>
    /// <exception cref="InvalidOperationException">A cache route for <paramref name="snapshotType"/> exists.</exception>
    protected void ReceiveCacheUpdate(MessageType snapshotType, Action<CacheUpdate> handler) =>
        _core.Change(t => t.WithCacheRoute(Key(snapshotType), Of(handler)));

    /// <summary>Sets (or replaces) the default route, which also receives the final message; turns filtering off.</summary>
    protected void ReceiveAnyMessage(Action<StasisMessage> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _core.Change(t => t.WithDefault(RouterCore.Sync((_, message) => handler(message))));
    }

    /// <summary>Sets (or replaces) the default route with an async handler, awaited before the next message.</summary>
    protected void ReceiveAnyMessageAsync(Func<StasisMessage, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _core.Change(t => t.WithDefault((_, message) => new ValueTask(handler(message))));
    }

    /// <summary>
    /// Sets (or replaces) the default route for messages whose type has one of <paramref name="formatters"/> and no
    /// route (as <see cref="MessageRouter.SetFormattersDefault(DefaultRouteHandler, MessageFormatters)"/>); filtering stays on. It also receives the final message.
    /// </summary>
    protected void ReceiveFormatted(MessageFormatters formatters, Action<StasisMessage> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _core.Change(t => t.WithFormattersDefault(RouterCore.Sync((_, message) => handler(message)), formatters));
    }

    /// <summary>Accepts message types with one of <paramref name="formatters"/> besides the routed ones (as <see cref="MessageRouter.AcceptFormatters"/>).</summary>
    protected void AcceptFormatters(MessageFormatters formatters) => _core.Change(t => t.WithFormatters(formatters));

    /// <summary>Removes the route for <typeparamref name="T"/>.</summary>
    protected void RemoveRoute<T>() where T : class => _core.Change(t => t.WithoutRoute(typeof(T)));

    /// <summary>Removes the route for <paramref name="type"/>.</summary>
    protected void RemoveRoute(MessageType type) => _core.Change(t => t.WithoutRoute(Key(type)));

    /// <summary>Removes the cache route for <typeparamref name="TSnapshot"/>.</summary>
    protected void RemoveCacheRoute<TSnapshot>() where TSnapshot : class => _core.Change(t => t.WithoutCacheRoute(typeof(TSnapshot)));

    /// <summary>Removes the cache route for <paramref name="snapshotType"/>.</summary>
    protected void RemoveCacheRoute(MessageType snapshotType) => _core.Change(t => t.WithoutCacheRoute(Key(snapshotType)));

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
        ValueTask pending;
        try
        {
            pending = _core.Dispatch(_subscription, envelope.Topic, envelope.Message);
            if (pending.IsCompleted)
                pending.GetAwaiter().GetResult(); // throws what a faulted route task holds
        }
        catch (Exception ex)
        {
            CurrentEnvelope = null;
            RouteFailed(envelope, ex);
            return true;
        }
        if (pending.IsCompleted)
            CurrentEnvelope = null;
        else
            AwaitLater(pending, envelope);
        return true;
    }

    /// <summary>
    /// Suspends the mailbox until the route's task completed. A method of its own: a lambda capturing
    /// <see cref="Receive"/>'s locals would make C# allocate its closure for every message, awaited or not.
    /// </summary>
    private void AwaitLater(ValueTask pending, StasisEnvelope envelope) => ActorTaskScheduler.RunTask(() => AwaitRoute(pending, envelope));

    private async Task AwaitRoute(ValueTask pending, StasisEnvelope envelope)
    {
        try
        {
            await pending;
        }
        catch (Exception ex)
        {
            RouteFailed(envelope, ex);
        }
        finally
        {
            CurrentEnvelope = null;
        }
    }

    /// <summary>Logs and counts a route failure, then applies the failure policy (see the class remarks).</summary>
    private void RouteFailed(StasisEnvelope envelope, Exception ex)
    {
        var failure = new SubscriptionHandlerException(_subscription!, envelope, ex);
        var policy = Topic.Bus.Settings.FailurePolicy;
        Topic.Bus.Diagnostics.HandlerFailed(Topic, failure, failure, policy);
        if (policy == FailurePolicy.Stop)
            _subscription!.Unsubscribe();
        else if (policy == FailurePolicy.Restart)
            throw failure;
    }

    private void Add(object key, Route route) => _core.Change(t => t.WithRoute(key, route));

    private MessageType Key(MessageType type) => RouterCore.CheckType(type, Topic.Bus);

    private static Route Of<T>(Action<T> handler) where T : class
    {
        ArgumentNullException.ThrowIfNull(handler);
        return RouterCore.Sync((_, message) => handler((T)message.Data));
    }

    private static Route Of<T>(Func<T, Task> handler) where T : class
    {
        ArgumentNullException.ThrowIfNull(handler);
        return (_, message) => new ValueTask(handler((T)message.Data));
    }

    /// <summary>Subscribes the actor to <see cref="Topic"/>. Overrides must call the base.</summary>
    protected override void PreStart() =>
        _subscription = _core.Subscribe(Topic, _options, o => Topic.Subscribe(Self, o));

    /// <summary>Keeps the subscription across a restart (see <see cref="PostRestart"/>). Overrides must call the base.</summary>
    protected override void PreRestart(Exception reason, object message)
    {
        _restarting = true;
        base.PreRestart(reason, message); // stops the children and calls PostStop, which then keeps the subscription
    }

    /// <summary>
    /// The new instance takes over the subscription of the one that failed: same subscription, same queue, nothing
    /// lost or reordered; its own routes (declared by its constructor) decide the filter. Overrides must call the base.
    /// </summary>
    protected override void PostRestart(Exception reason)
    {
        if (Topic.Bus.Graph.FindSubscription(Topic, Self) is { } subscription)
        {
            _core.Adopt(subscription);
            _subscription = subscription;
        }
        else
        {
            PreStart(); // the subscription ended meanwhile (its topic was destroyed): subscribe afresh
        }
    }

    /// <summary>Unsubscribes the actor (not when it is being restarted). Overrides must call the base.</summary>
    protected override void PostStop()
    {
        if (!_restarting)
            _subscription?.Unsubscribe();
        _core.StopWatching();
    }
}
