using System.Collections.Immutable;
using Akka.Event;
using Stasis.Actors.Internal;

namespace Stasis.Actors;

/// <summary>
/// Manages states keyed by id (Asterisk's <c>stasis_state_manager</c>, what its MWI is built on): each state is a topic
/// of its own, <c>&lt;all&gt;/&lt;id&gt;</c>, forwarding to the manager's <see cref="All"/> topic, and the latest message
/// published on it.
/// </summary>
/// <remarks>
/// <para><b>Lifecycle.</b> A state is made by the first explicit subscriber (<see cref="Subscribe(string, SubscriptionHandler, SubscriptionOptions?)"/>,
/// <see cref="AddSubscriber"/>), explicit publisher (<see cref="AddPublisher"/>) or implicit publisher
/// (<see cref="PublishById"/>) of its id, and lives while it has any of them. When the last one leaves (an explicit
/// one is disposed or unsubscribed; an implicit one is removed by <see cref="RemovePublishById"/> with the same EID), the
/// state leaves the manager: its forwarding is cancelled, its topic destroyed, and its latest message forgotten. An
/// implicit publisher that is never removed keeps its state for good, as in Asterisk: prefer explicit publishers.</para>
/// <para><b>Observers</b> (<see cref="AddObserver"/>) are told of every explicit subscriber added and removed.</para>
/// <para><b>Threading.</b> Every member is thread-safe. Adding and removing subscribers and publishers take the
/// manager's lock briefly (never while publishing or calling observers; a state's topic is made and destroyed under it,
/// so a state made again for the same id gets a fresh topic); publishing through an explicit publisher takes no lock. <see cref="ForEach"/> and <see cref="ForEachSubscribed"/> walk a snapshot of the states.</para>
/// </remarks>
public sealed class StasisStateManager : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ManagedState> _states = new(StringComparer.Ordinal);
    private ImmutableList<IStasisStateObserver> _observers = [];
    private bool _disposed;

    /// <summary>Creates a manager whose states forward to the topic <paramref name="allTopicName"/> (made if needed).</summary>
    /// <param name="bus">The bus.</param>
    /// <param name="allTopicName">The name of the topic every state forwards to, e.g. <c>mwi:all</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="allTopicName"/> is null, empty or white space.</exception>
    public StasisStateManager(StasisBus bus, string allTopicName)
    {
        ArgumentNullException.ThrowIfNull(bus);
        Bus = bus;
        All = bus.CreateTopic(allTopicName, "all managed states");
    }

    /// <summary>The bus.</summary>
    public StasisBus Bus { get; }

    /// <summary>The topic every state's topic forwards to (Asterisk's <c>stasis_state_all_topic</c>).</summary>
    public Topic All { get; }

    /// <summary>The ids of the states the manager has now.</summary>
    public IReadOnlyCollection<string> Ids
    {
        get
        {
            lock (_lock)
                return [.. _states.Keys];
        }
    }

    /// <summary>
    /// Adds an explicit subscriber of the state <paramref name="id"/> (made if needed) and subscribes
    /// <paramref name="handler"/> to its topic (Asterisk's <c>stasis_state_subscribe_pool</c>).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is null, empty or white space, or an option is out of range.</exception>
    /// <exception cref="ObjectDisposedException">The manager was disposed.</exception>
    public StateSubscriber Subscribe(string id, SubscriptionHandler handler, SubscriptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddSubscriberWith(id, topic => topic.Subscribe(handler, options));
    }

    /// <summary>As <see cref="Subscribe(string, SubscriptionHandler, SubscriptionOptions?)"/>, with an async handler.</summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is null, empty or white space, or an option is out of range.</exception>
    /// <exception cref="ObjectDisposedException">The manager was disposed.</exception>
    public StateSubscriber Subscribe(string id, AsyncSubscriptionHandler handler, SubscriptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddSubscriberWith(id, topic => topic.Subscribe(handler, options));
    }

    /// <summary>
    /// Adds an explicit subscriber of the state <paramref name="id"/> (made if needed) without subscribing to its topic
    /// (Asterisk's <c>stasis_state_add_subscriber</c>): it keeps the state alive and reads <see cref="StateSubscriber.LastMessage"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is null, empty or white space.</exception>
    /// <exception cref="ObjectDisposedException">The manager was disposed.</exception>
    public StateSubscriber AddSubscriber(string id) => AddSubscriberWith(id, null);

    /// <summary>Adds an explicit publisher of the state <paramref name="id"/> (made if needed).</summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is null, empty or white space.</exception>
    /// <exception cref="ObjectDisposedException">The manager was disposed.</exception>
    public StatePublisher AddPublisher(string id)
    {
        lock (_lock)
        {
            var state = FindOrAdd(id);
            state.Publishers++;
            return new StatePublisher(this, state);
        }
    }

    /// <summary>
    /// Publishes <paramref name="message"/> on the state <paramref name="id"/> (made if needed) as an implicit publisher
    /// identified by <paramref name="eid"/> (the local node's when null), which keeps the state until
    /// <see cref="RemovePublishById"/> (Asterisk's <c>stasis_state_publish_by_id</c>).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is null, empty or white space.</exception>
    /// <exception cref="ObjectDisposedException">The manager was disposed.</exception>
    public void PublishById(string id, StasisMessage message, EntityId? eid = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        ManagedState state;
        lock (_lock)
        {
            state = FindOrAdd(id);
            state.ImplicitPublishers.Add(eid ?? Bus.Eid);
        }
        state.Publish(message);
    }

    /// <summary>
    /// Publishes <paramref name="message"/> (when not null) on the state <paramref name="id"/>, then removes the implicit
    /// publisher <paramref name="eid"/> (the local node's when null); the state goes when nothing else keeps it
    /// (Asterisk's <c>stasis_state_remove_publish_by_id</c>). An id with no state is logged and ignored.
    /// </summary>
    public void RemovePublishById(string id, StasisMessage? message = null, EntityId? eid = null)
    {
        ManagedState? state;
        lock (_lock)
            state = id is null ? null : _states.GetValueOrDefault(id);
        if (state is null)
        {
            Bus.Diagnostics.Log.Warning("State manager {0}: no state '{1}' to remove an implicit publisher from", All.Name, id);
            return;
        }
        if (message is not null)
            state.Publish(message);
        lock (_lock)
        {
            state.ImplicitPublishers.Remove(eid ?? Bus.Eid);
            RemoveIfUnused(state);
        }
    }

    /// <summary>The latest message of the state <paramref name="id"/>, or null (no such state, or nothing published yet).</summary>
    public StasisMessage? GetLastMessage(string id)
    {
        lock (_lock)
            return id is null ? null : _states.GetValueOrDefault(id)?.Last;
    }

    /// <summary>The topic of the state <paramref name="id"/>, or null when the manager has no such state (it never makes one here).</summary>
    public Topic? GetTopic(string id)
    {
        lock (_lock)
            return id is null ? null : _states.GetValueOrDefault(id)?.Topic;
    }

    /// <summary>
    /// Calls <paramref name="handler"/> with each state's id and latest message (null before the first) until it returns
    /// false (Asterisk's <c>stasis_state_callback_all</c>). Runs over a snapshot, outside the manager's lock.
    /// </summary>
    public void ForEach(Func<string, StasisMessage?, bool> handler) => Walk(handler, subscribedOnly: false);

    /// <summary>As <see cref="ForEach"/>, over the states with at least one explicit subscriber (<c>stasis_state_callback_subscribed</c>).</summary>
    public void ForEachSubscribed(Func<string, StasisMessage?, bool> handler) => Walk(handler, subscribedOnly: true);

    /// <summary>Adds an observer of subscribers (see <see cref="IStasisStateObserver"/>); disposing the result removes it.</summary>
    public IDisposable AddObserver(IStasisStateObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        ImmutableInterlocked.Update(ref _observers, static (list, o) => list.Add(o), observer);
        return new ObserverRegistration(this, observer);
    }

    /// <summary>
    /// Removes every state (their topics are destroyed: subscriptions on them get their final messages) and refuses new
    /// ones; <see cref="All"/> stays (it may be shared). Idempotent.
    /// </summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var state in _states.Values)
            {
                state.IsRemoved = true;
                Destroy(state);
            }
            _states.Clear();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"state manager of {All.Name}";

    /// <summary>Removes one explicit subscriber or publisher of <paramref name="state"/>; the state goes when unused.</summary>
    internal void Release(ManagedState state, bool publisher, StateSubscriber? subscriber = null)
    {
        lock (_lock)
        {
            if (publisher)
                state.Publishers--;
            else
                state.Subscribers--;
            RemoveIfUnused(state);
        }
        if (subscriber is not null)
            Notify(o => o.OnUnsubscribe(state.Id, subscriber));
    }

    private StateSubscriber AddSubscriberWith(string id, Func<Topic, Subscription>? subscribe)
    {
        StateSubscriber subscriber;
        lock (_lock)
        {
            var state = FindOrAdd(id);
            state.Subscribers++;
            subscriber = new StateSubscriber(this, state);
        }
        if (subscribe is not null)
        {
            try
            {
                subscriber.Subscription = subscribe(subscriber.Topic);
            }
            catch
            {
                subscriber.Unsubscribe(); // a subscriber that never subscribed must not keep its state
                throw;
            }
        }
        Notify(o => o.OnSubscribe(id, subscriber));
        return subscriber;
    }

    /// <summary>The state <paramref name="id"/>, made with its topic and forwarding if there is none (under the lock).</summary>
    private ManagedState FindOrAdd(string id)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (string.IsNullOrWhiteSpace(id))
            throw new ArgumentException($"A state id of {All.Name} must not be null, empty or white space.", nameof(id));
        if (_states.TryGetValue(id, out var state))
            return state;
        var topic = Bus.CreateTopic($"{All.Name}/{id}", $"state {id}");
        state = new ManagedState(id, topic, topic.ForwardTo(All));
        _states[id] = state;
        return state;
    }

    /// <summary>
    /// Takes an unused state out of the manager and destroys its topic, under the lock: a state made next for the same
    /// id must find the name free (the bus hands out a live topic of that name instead of a new one).
    /// </summary>
    private void RemoveIfUnused(ManagedState state)
    {
        if (!state.IsUnused || state.IsRemoved)
            return;
        state.IsRemoved = true;
        _states.Remove(state.Id);
        Destroy(state);
    }

    private static void Destroy(ManagedState state)
    {
        state.Forward.Cancel();
        state.Topic.Destroy();
    }

    private void Walk(Func<string, StasisMessage?, bool> handler, bool subscribedOnly)
    {
        ArgumentNullException.ThrowIfNull(handler);
        List<ManagedState> states;
        lock (_lock)
            states = [.. _states.Values.Where(s => !subscribedOnly || s.Subscribers > 0)];
        foreach (var state in states)
        {
            if (!handler(state.Id, state.Last))
                return;
        }
    }

    private void Notify(Action<IStasisStateObserver> call)
    {
        foreach (var observer in Volatile.Read(ref _observers))
        {
            try
            {
                call(observer);
            }
            catch (Exception ex)
            {
                Bus.Diagnostics.Log.Error(ex, "State manager {0}: an observer threw", All.Name);
            }
        }
    }

    private sealed class ObserverRegistration(StasisStateManager manager, IStasisStateObserver observer) : IDisposable
    {
        public void Dispose() => ImmutableInterlocked.Update(ref manager._observers, static (list, o) => list.Remove(o), observer);
    }
}
