using System.Collections.Concurrent;
using Akka.Actor;

namespace Stasis.Actors.Internal;

/// <summary>
/// The bus's membership: topics by name, each topic's own subscriptions and the forwardings between topics.
/// </summary>
/// <remarks>
/// <para>Every change takes effect before it returns (a message published next sees it). Subscribe, unsubscribe and
/// filter changes lock only their own topic's subscription sets (<see cref="Topic.Direct"/>), briefly and never around
/// a Tell: change messages are dispatched after the lock is released, so topics never wait for each other. Forwarding
/// changes, topic destruction and clustering take one structural lock (they are rare, and it keeps cycle checks exact);
/// forwardings are immutable arrays, read without a lock.</para>
/// <para>Snapshots: a change clears the publish snapshots of its topic and of every topic forwarding into it, after
/// bumping each one's <see cref="Topic.Version"/>. The next publish rebuilds a cleared snapshot without the structural
/// lock (each topic's sets are copied under that topic's lock) and installs it only if the version did not move while
/// it built: one that raced with a change is withdrawn, so a stale snapshot never stays.</para>
/// </remarks>
internal sealed class TopicGraph
{
    private readonly object _structure = new();
    private readonly ConcurrentDictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private readonly StasisBus _bus;
    private volatile bool _closed;

    public TopicGraph(StasisBus bus) => _bus = bus;

    public ICollection<Topic> Topics => _topics.Values;

    public Topic? Find(string name) => _topics.TryGetValue(name, out var topic) ? topic : null;

    /// <summary>True once <see cref="Close"/> ran: no topic can be added any more.</summary>
    public bool IsClosed => _closed;

    /// <summary>
    /// Closes the graph to new topics (the bus is shutting down). Taken under the structural lock, so a topic is either
    /// added before (and listed by <see cref="Topics"/> afterwards) or refused.
    /// </summary>
    public void Close()
    {
        lock (_structure)
            _closed = true;
    }

    /// <exception cref="InvalidOperationException">The graph is closed.</exception>
    public Topic GetOrAdd(string name, Func<Topic> create)
    {
        if (_topics.TryGetValue(name, out var existing))
            return existing;
        lock (_structure)
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
        lock (topic.Direct)
            return topic.Direct.Count;
    }

    public int ForwardCount(Topic topic) => topic.Outgoing.Length;

    /// <summary>Every live topic with its own subscriptions and forward counts (each topic read at its own instant).</summary>
    public List<(Topic Topic, Subscription[] Subscriptions, int ForwardsOut, int ForwardsIn)> Snapshot() =>
        [.. _topics.Values.Select(t => (t, Own(t, FanoutKind.Publish), t.Outgoing.Length, t.Incoming.Length))];

    /// <summary>
    /// Adds a subscription. Its own "Subscribe" change is told to it first, then published to the topic's other
    /// subscribers, then the subscription joins the topic: so that change is the first message it receives. One that
    /// ended meanwhile (its handler unsubscribed on that first message, or its actor stopped) does not join.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The topic was destroyed meanwhile.</exception>
    public void AddSubscription(Subscription subscription, StasisMessage subscribeChange)
    {
        var topic = subscription.Topic;
        subscription.Enqueue(subscribeChange, topic);
        topic.DispatchChange(subscribeChange);
        bool joined, destroyed;
        lock (topic.Direct)
        {
            // Unsubscribe marks the subscription ended before it takes this lock to remove it: it either finds it
            // here afterwards, or this sees it ended and leaves it out.
            destroyed = topic.IsDestroyed;
            joined = !destroyed && subscription.IsSubscribed;
            if (joined)
            {
                topic.Direct.Add(subscription);
                UpdateChangeReceiver(subscription);
            }
        }
        if (joined)
        {
            Invalidate(topic);
            return;
        }
        // The others were told it subscribed: tell them it is gone, so every Subscribe change has its Unsubscribe.
        topic.DispatchChange(_bus.SubscriptionChangeType.CreateMessage(new SubscriptionChange(topic, subscription.Id, SubscriptionChangeKind.Unsubscribe))!);
        if (destroyed)
            throw new ObjectDisposedException(topic.ToString(), $"Cannot subscribe to {topic}: it was destroyed.");
    }

    /// <summary>
    /// Removes a subscription from its topic and publishes its "Unsubscribe" <paramref name="change"/> (its final
    /// message) to the topic's remaining subscribers (never to the removed one, whatever snapshot the dispatch reads).
    /// </summary>
    public void RemoveSubscription(Subscription subscription, StasisMessage change)
    {
        var topic = subscription.Topic;
        bool removed;
        lock (topic.Direct)
        {
            removed = topic.Direct.Remove(subscription);
            topic.DirectChangeReceivers.Remove(subscription);
        }
        if (!removed)
            return; // only a subscription that joined was announced, so only it is
        Invalidate(topic);
        topic.DispatchChange(change, skip: subscription);
    }

    public void ChangeFilter(Subscription subscription, Action change)
    {
        lock (subscription.Topic.Direct)
        {
            change();
            if (subscription.Topic.Direct.Contains(subscription))
                UpdateChangeReceiver(subscription);
        }
        Invalidate(subscription.Topic);
    }

    /// <summary>The live subscription of <paramref name="topic"/> whose actor subscriber is <paramref name="target"/>, if any.</summary>
    public Subscription? FindSubscription(Topic topic, IActorRef target)
    {
        lock (topic.Direct)
            return topic.Direct.FirstOrDefault(s => s.IsSubscribed && target.Equals(s.Target));
    }

    /// <summary>Marks a topic clustered or local-only (see <see cref="IRemotePublisher"/>); false when it already was.</summary>
    public bool SetClustered(Topic topic, bool clustered)
    {
        lock (_structure)
        {
            if (topic.IsClustered == clustered)
                return false;
            topic.IsClustered = clustered;
        }
        Invalidate(topic);
        return true;
    }

    public TopicForward AddForward(Topic from, Topic to)
    {
        TopicForward forward;
        lock (_structure)
        {
            if (from.IsDestroyed)
                throw new ObjectDisposedException(from.ToString(), $"Cannot forward from {from}: it was destroyed.");
            if (to.IsDestroyed)
                throw new ObjectDisposedException(to.ToString(), $"Cannot forward to {to}: it was destroyed.");
            if (PathBetween(to, from) is { } path)
                throw new InvalidOperationException($"Forwarding {from.Name} to {to.Name} would make a cycle: {string.Join(" -> ", path.Select(t => t.Name))} -> {to.Name}.");
            forward = new TopicForward(from, to);
            from.Outgoing = from.Outgoing.Add(forward);
            to.Incoming = to.Incoming.Add(forward);
        }
        Invalidate(from);
        return forward;
    }

    public void RemoveForward(TopicForward forward)
    {
        lock (_structure)
        {
            if (!Unlink(forward))
                return;
        }
        Invalidate(forward.From);
    }

    /// <summary>Marks the topic destroyed, frees its name and cuts its forwardings; returns its own subscriptions.</summary>
    public Subscription[]? Destroy(Topic topic)
    {
        var unlinked = new List<Topic>();
        lock (_structure)
        {
            lock (topic.Direct)
            {
                if (topic.IsDestroyed)
                    return null;
                topic.IsDestroyed = true; // under the topic's lock: a subscription joining now sees it (AddSubscription)
            }
            _topics.TryRemove(new KeyValuePair<string, Topic>(topic.Name, topic));
            foreach (var forward in topic.Outgoing.AddRange(topic.Incoming))
            {
                if (Unlink(forward))
                    unlinked.Add(forward.From);
            }
        }
        foreach (var from in unlinked)
            Invalidate(from);
        return Own(topic, FanoutKind.Publish);
    }

    /// <summary>Builds the <paramref name="kind"/> snapshot of a topic whose snapshot was cleared by a change.</summary>
    public Fanout Rebuild(Topic topic, FanoutKind kind)
    {
        while (true)
        {
            if (topic.Snapshot(kind) is { } current)
                return current;
            var version = Volatile.Read(ref topic.Version);
            var fanout = Build(topic, kind);
            if (!topic.TryInstall(kind, fanout))
                continue; // another thread installed one meanwhile: use it (or rebuild if a change cleared it since)
            if (Volatile.Read(ref topic.Version) == version)
                return fanout;
            // A change came while this one was built: withdraw it (unless that change already cleared it). It is still
            // good for this publish, which ran concurrently with the change.
            topic.TryWithdraw(kind, fanout);
            return fanout;
        }
    }

    private Fanout Build(Topic topic, FanoutKind kind)
    {
        // Only a local publish is sent to other nodes: change snapshots name no clustered topic.
        if (topic.Outgoing.IsEmpty)
            return Fanout.Build(Own(topic, kind), topic.IsClustered && kind == FanoutKind.Publish ? [topic] : []);
        var reached = new HashSet<Subscription>();
        var visited = new HashSet<Topic>();
        Collect(topic, topic, reached, visited, kind, []);
        return Fanout.Build(reached, kind == FanoutKind.Publish ? [.. visited.Where(t => t.IsClustered)] : []);
    }

    /// <summary>
    /// What a message from another node, sent on every topic of <paramref name="sent"/> (<paramref name="topic"/> among
    /// them), reaches through <paramref name="topic"/>'s copy: what it reaches without passing through another sent
    /// topic, less what an earlier sent topic reaches that way (that copy delivers it). Built on the bridge's thread.
    /// </summary>
    public static Fanout BuildRemote(Topic topic, Topic[] sent)
    {
        var reached = Reach(topic, sent);
        foreach (var earlier in sent.TakeWhile(t => !ReferenceEquals(t, topic)))
            reached.ExceptWith(Reach(earlier, sent));
        return Fanout.Build(reached, []);
    }

    private static HashSet<Subscription> Reach(Topic start, Topic[] stops)
    {
        var reached = new HashSet<Subscription>();
        Collect(start, start, reached, [], FanoutKind.Publish, stops);
        return reached;
    }

    private static void Collect(Topic start, Topic topic, HashSet<Subscription> reached, HashSet<Topic> visited, FanoutKind kind, Topic[] stops)
    {
        if (!ReferenceEquals(topic, start) && stops.Contains(topic))
            return; // that sent topic's own copy delivers there
        if (!visited.Add(topic))
            return;
        reached.UnionWith(Own(topic, kind));
        foreach (var forward in topic.Outgoing)
            Collect(start, forward.To, reached, visited, kind, stops);
    }

    /// <summary>A copy of the topic's own subscriptions (only those accepting change messages for <see cref="FanoutKind.Changes"/>).</summary>
    private static Subscription[] Own(Topic topic, FanoutKind kind)
    {
        lock (topic.Direct)
            return kind == FanoutKind.Changes ? [.. topic.DirectChangeReceivers] : [.. topic.Direct];
    }

    /// <summary>Keeps a topic's set of own subscriptions that accept subscription-change messages up to date (under its lock).</summary>
    private void UpdateChangeReceiver(Subscription subscription)
    {
        var receivers = subscription.Topic.DirectChangeReceivers;
        if (subscription.Filter.Accepts(_bus.SubscriptionChangeType))
            receivers.Add(subscription);
        else
            receivers.Remove(subscription);
    }

    /// <summary>Cuts a forwarding (under the structural lock); false when it was already cut.</summary>
    private static bool Unlink(TopicForward forward)
    {
        if (!forward.IsActive)
            return false;
        forward.IsActive = false;
        forward.From.Outgoing = forward.From.Outgoing.Remove(forward);
        forward.To.Incoming = forward.To.Incoming.Remove(forward);
        return true;
    }

    /// <summary>Clears every topic's snapshots (a message type with formatters appeared: formatter filters may take it).</summary>
    public void InvalidateAll()
    {
        foreach (var topic in _topics.Values)
            topic.Invalidate();
    }

    /// <summary>Clears the snapshots of <paramref name="topic"/> and of every topic that forwards into it.</summary>
    private static void Invalidate(Topic topic)
    {
        if (topic.Incoming.IsEmpty)
        {
            topic.Invalidate();
            return;
        }
        var pending = new Stack<Topic>();
        var seen = new HashSet<Topic>();
        pending.Push(topic);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            if (!seen.Add(current))
                continue;
            current.Invalidate();
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
