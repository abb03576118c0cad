using System.Collections.Concurrent;
using Stasis.Actors.Messages;
using Stasis.Actors.Subscriptions;

namespace Stasis.Actors.Topics.Internal;

/// <summary>
/// The bus's membership: topics by name, each topic's own subscriptions and the forwardings between topics.
/// </summary>
/// <remarks>
/// Changes are made under one lock, synchronously in the caller, so that <c>Subscribe</c> and <c>ForwardAll</c> have
/// taken effect when they return (a message published next is delivered) and <c>Unsubscribe</c> and <c>Cancel</c>
/// likewise. A change clears the publish snapshot of the changed topic and of every topic forwarding into it; the
/// next publish on such a topic rebuilds it once. Subscribe and Unsubscribe dispatch their change message through a
/// second, smaller snapshot of only the subscriptions that accept change messages, so making many subscriptions that
/// filter changes out costs O(1) each instead of a rebuild of the full snapshot each. Publishers never take the lock
/// otherwise. Changes are rare next to publishes, so one lock for the whole graph is simple and cheap, and it makes
/// cycle checks exact.
/// </remarks>
internal sealed class TopicGraph
{
    private readonly object _lock = new();
    private readonly ConcurrentDictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private readonly StasisBus _bus;

    public TopicGraph(StasisBus bus) => _bus = bus;

    public ICollection<Topic> Topics => _topics.Values;

    public Topic? Find(string name) => _topics.TryGetValue(name, out var topic) ? topic : null;

    private volatile bool _closed;

    /// <summary>True once <see cref="Close"/> ran: no topic can be added any more.</summary>
    public bool IsClosed => _closed;

    /// <summary>
    /// Closes the graph to new topics (the bus is shutting down). Taken under the lock, so a topic is either added
    /// before (and listed by <see cref="Topics"/> afterwards) or refused.
    /// </summary>
    public void Close()
    {
        lock (_lock)
            _closed = true;
    }

    /// <exception cref="InvalidOperationException">The graph is closed.</exception>
    public Topic GetOrAdd(string name, Func<Topic> create)
    {
        if (_topics.TryGetValue(name, out var existing))
            return existing;
        lock (_lock)
        {
            if (_topics.TryGetValue(name, out existing))
                return existing;
            if (IsClosed)
                throw new InvalidOperationException($"Cannot create topic '{name}': the actor system is shutting down.");
            var topic = create();
            _topics[name] = topic;
            return topic;
        }
    }

    public int DirectCount(Topic topic)
    {
        lock (_lock)
            return topic.Direct.Count;
    }

    public int ForwardCount(Topic topic)
    {
        lock (_lock)
            return topic.Outgoing.Length;
    }


    /// <summary>The live subscription of <paramref name="topic"/> whose actor subscriber is <paramref name="target"/>, if any.</summary>
    public Subscription? FindSubscription(Topic topic, Akka.Actor.IActorRef target)
    {
        lock (_lock)
            return topic.Direct.FirstOrDefault(s => s.IsSubscribed && target.Equals(s.Target));
    }

    /// <summary>Every live topic with its own subscriptions and forward counts, read at one instant.</summary>
    public List<(Topic Topic, Subscription[] Subscriptions, int ForwardsOut, int ForwardsIn)> Snapshot()
    {
        lock (_lock)
            return [.. _topics.Values.Select(t => (t, t.Direct.ToArray(), t.Outgoing.Length, t.Incoming.Length))];
    }

    /// <summary>
    /// Adds a subscription. Its own "Subscribe" change is queued on it first, then published to the topic's other
    /// subscribers, then the subscription joins the snapshot: so that change is the first message it receives.
    /// </summary>
    public void AddSubscription(Subscription subscription, StasisMessage subscribeChange)
    {
        var topic = subscription.Topic;
        lock (_lock)
        {
            if (topic.IsDestroyed)
                throw new ObjectDisposedException(topic.ToString(), $"Cannot subscribe to {topic}: it was destroyed.");
            if (!subscription.IsSubscribed) // its actor stopped before it could join (the actor system is shutting down)
                throw new InvalidOperationException($"Cannot subscribe to {topic}: the subscription's actor stopped before it joined the topic.");
            subscription.Enqueue(subscribeChange, topic);
            topic.DispatchChange(subscribeChange);
            topic.Direct.Add(subscription);
            UpdateChangeReceiver(subscription);
            Invalidate(topic);
        }
    }

    /// <summary>
    /// Removes a subscription from its topic and publishes its "Unsubscribe" <paramref name="change"/> (its final
    /// message) to the topic's remaining subscribers.
    /// </summary>
    public void RemoveSubscription(Subscription subscription, StasisMessage change)
    {
        var topic = subscription.Topic;
        lock (_lock)
        {
            if (topic.Direct.Remove(subscription))
            {
                topic.DirectChangeReceivers.Remove(subscription);
                Invalidate(topic);
                topic.DispatchChange(change); // only a subscription that joined was announced, so only it is
            }
        }
    }

    public void ChangeFilter(Subscription subscription, Action change)
    {
        lock (_lock)
        {
            change();
            if (subscription.Topic.Direct.Contains(subscription))
                UpdateChangeReceiver(subscription);
            Invalidate(subscription.Topic);
        }
    }

    /// <summary>Marks a topic clustered or local-only (see <see cref="IRemotePublisher"/>); false when it already was.</summary>
    public bool SetClustered(Topic topic, bool clustered)
    {
        lock (_lock)
        {
            if (topic.IsClustered == clustered)
                return false;
            topic.IsClustered = clustered;
            Invalidate(topic);
            return true;
        }
    }

    public TopicForward AddForward(Topic from, Topic to)
    {
        lock (_lock)
        {
            if (from.IsDestroyed)
                throw new ObjectDisposedException(from.ToString(), $"Cannot forward from {from}: it was destroyed.");
            if (to.IsDestroyed)
                throw new ObjectDisposedException(to.ToString(), $"Cannot forward to {to}: it was destroyed.");
            if (PathBetween(to, from) is { } path)
                throw new InvalidOperationException($"Forwarding {from.Name} to {to.Name} would make a cycle: {string.Join(" -> ", path.Select(t => t.Name))} -> {to.Name}.");
            var forward = new TopicForward(from, to);
            from.Outgoing = from.Outgoing.Add(forward);
            to.Incoming = to.Incoming.Add(forward);
            Invalidate(from);
            return forward;
        }
    }

    public void RemoveForward(TopicForward forward)
    {
        lock (_lock)
            Unlink(forward);
    }

    /// <summary>Marks the topic destroyed, frees its name and cuts its forwardings; returns its own subscriptions.</summary>
    public Subscription[]? Dispose(Topic topic)
    {
        lock (_lock)
        {
            if (topic.IsDestroyed)
                return null;
            topic.IsDestroyed = true;
            _topics.TryRemove(new KeyValuePair<string, Topic>(topic.Name, topic));
            foreach (var forward in topic.Outgoing.AddRange(topic.Incoming))
                Unlink(forward);
            return [.. topic.Direct];
        }
    }

    /// <summary>Builds the <paramref name="kind"/> snapshot of a topic whose snapshot was cleared by a change.</summary>
    public Fanout Rebuild(Topic topic, FanoutKind kind)
    {
        lock (_lock)
        {
            if (Current(topic, kind) is { } current)
                return current;
            // Only a local publish is sent to other nodes: change and remote snapshots name no clustered topic.
            var own = kind == FanoutKind.Changes ? topic.DirectChangeReceivers : topic.Direct;
            Fanout fanout;
            if (topic.Outgoing.IsEmpty)
            {
                fanout = Fanout.Build(own, topic.IsClustered && kind == FanoutKind.Publish ? [topic] : []); // no forwarding: nothing to merge
            }
            else
            {
                var reached = new HashSet<Subscription>();
                var visited = new HashSet<Topic>();
                Collect(topic, topic, reached, visited, kind);
                fanout = Fanout.Build(reached, kind == FanoutKind.Publish ? [.. visited.Where(t => t.IsClustered)] : []);
            }
            switch (kind)
            {
                case FanoutKind.Changes:
                    topic.ChangeFanout = fanout;
                    break;
                case FanoutKind.Remote:
                    topic.RemoteFanout = fanout;
                    break;
                default:
                    topic.Fanout = fanout;
                    break;
            }
            return fanout;
        }
    }

    private static Fanout? Current(Topic topic, FanoutKind kind) => kind switch
    {
        FanoutKind.Changes => topic.ChangeFanout,
        FanoutKind.Remote => topic.RemoteFanout,
        _ => topic.Fanout,
    };

    private static void Collect(Topic start, Topic topic, HashSet<Subscription> reached, HashSet<Topic> visited, FanoutKind kind)
    {
        if (kind == FanoutKind.Remote && topic.IsClustered && !ReferenceEquals(topic, start))
            return; // that clustered topic's own bridge dispatches the copy sent to it
        if (!visited.Add(topic))
            return;
        reached.UnionWith(kind == FanoutKind.Changes ? topic.DirectChangeReceivers : topic.Direct);
        foreach (var forward in topic.Outgoing)
            Collect(start, forward.To, reached, visited, kind);
    }

    /// <summary>Keeps a topic's set of own subscriptions that accept subscription-change messages up to date.</summary>
    private void UpdateChangeReceiver(Subscription subscription)
    {
        var receivers = subscription.Topic.DirectChangeReceivers;
        if (subscription.Filter.Accepts(_bus.SubscriptionChangeType))
            receivers.Add(subscription);
        else
            receivers.Remove(subscription);
    }

    private void Unlink(TopicForward forward)
    {
        if (!forward.IsActive)
            return;
        forward.IsActive = false;
        forward.From.Outgoing = forward.From.Outgoing.Remove(forward);
        forward.To.Incoming = forward.To.Incoming.Remove(forward);
        Invalidate(forward.From);
    }

    /// <summary>Clears the snapshot of <paramref name="topic"/> and of every topic that forwards into it.</summary>
    private static void Invalidate(Topic topic)
    {
        var pending = new Stack<Topic>();
        var seen = new HashSet<Topic>();
        pending.Push(topic);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            if (!seen.Add(current))
                continue;
            current.Fanout = null;
            current.ChangeFanout = null;
            current.RemoteFanout = null;
            foreach (var forward in current.Incoming)
                pending.Push(forward.From);
        }
    }

    /// <summary>The forwarding path from <paramref name="start"/> to <paramref name="goal"/>, if any (each topic visited once).</summary>
    private static List<Topic>? PathBetween(Topic start, Topic goal, HashSet<Topic>? visited = null)
    {
        if (ReferenceEquals(start, goal))
            return [start];
        visited ??= [];
        if (!visited.Add(start))
            return null;
        foreach (var forward in start.Outgoing)
        {
            if (PathBetween(forward.To, goal, visited) is { } rest)
            {
                rest.Insert(0, start);
                return rest;
            }
        }
        return null;
    }
}
