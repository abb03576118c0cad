using System.Collections.Concurrent;

namespace Stasis.Actors;

/// <summary>
/// Hands out named topics on demand, each forwarding to the pool's <see cref="PoolTopic"/> (e.g. one topic per channel,
/// all forwarding to <c>channel:all</c>), as Asterisk's <c>stasis_topic_pool</c> does.
/// </summary>
/// <remarks>
/// <para>The pool topic of name <c>x</c> is the bus topic <c>&lt;PoolTopic.Name&gt;/x</c>. A message published on it
/// reaches its own subscribers and those of <see cref="PoolTopic"/>, which are told it was published on the pool topic
/// (the original topic).</para>
/// <para><see cref="Delete"/> cancels the forwarding and destroys the topic: its subscribers receive their final
/// messages. A later <see cref="GetTopic"/> of the same name makes a fresh topic.</para>
/// <para><b>Threading.</b> Every member is thread-safe. The pool's map is a concurrent dictionary; the only lock is per
/// name, held while that one name's topic and forwarding are made, and the bus never calls back into the pool, so
/// concurrent <see cref="GetTopic"/>, <see cref="Delete"/>, subscribing and publishing cannot deadlock. Concurrent
/// <see cref="GetTopic"/>s of one name return the same topic.</para>
/// </remarks>
public sealed class TopicPool
{
    private readonly ConcurrentDictionary<string, Lazy<Entry>> _entries = new(StringComparer.Ordinal);

    /// <summary>Creates a pool whose topics forward to <paramref name="poolTopic"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="poolTopic"/> is null.</exception>
    public TopicPool(Topic poolTopic)
    {
        ArgumentNullException.ThrowIfNull(poolTopic);
        PoolTopic = poolTopic;
    }

    /// <summary>The topic every pool topic forwards to.</summary>
    public Topic PoolTopic { get; }

    /// <summary>The number of topics in the pool.</summary>
    public int Count => _entries.Count;

    /// <summary>The names of the topics in the pool.</summary>
    public IReadOnlyCollection<string> Names => [.. _entries.Select(static p => p.Key)];

    /// <summary>The pool's topic named <paramref name="name"/>, made (with its forwarding) if there is none.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, empty or white space.</exception>
    /// <exception cref="ObjectDisposedException"><see cref="PoolTopic"/> was destroyed.</exception>
    public Topic GetTopic(string name)
    {
        ValidateName(name);
        while (true)
        {
            var lazy = _entries.GetOrAdd(name, static (n, pool) => new Lazy<Entry>(() => pool.Create(n), LazyThreadSafetyMode.ExecutionAndPublication), this);
            Entry entry;
            try
            {
                entry = lazy.Value;
            }
            catch
            {
                _entries.TryRemove(new KeyValuePair<string, Lazy<Entry>>(name, lazy));
                throw;
            }
            if (!entry.Topic.IsDestroyed && entry.Forward.IsActive)
                return entry.Topic;
            // Disposed or cut off outside the pool: replace it with a fresh one.
            _entries.TryRemove(new KeyValuePair<string, Lazy<Entry>>(name, lazy));
        }
    }

    /// <summary>
    /// Removes the topic named <paramref name="name"/>: cancels its forwarding and destroys it.
    /// </summary>
    /// <returns>True when the pool had it.</returns>
    public bool Delete(string name)
    {
        if (name is null || !_entries.TryRemove(name, out var lazy))
            return false;
        Entry entry;
        try
        {
            entry = lazy.Value;
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException)
        {
            return true; // never made: the pool topic was destroyed, or the bus began shutting down, meanwhile
        }
        entry.Forward.Cancel();
        entry.Topic.Destroy();
        return true;
    }

    /// <summary>True when the pool has a topic named <paramref name="name"/>.</summary>
    public bool Exists(string name) => name is not null && _entries.ContainsKey(name);

    /// <summary>Deletes every topic of the pool.</summary>
    public void Clear()
    {
        foreach (var name in Names)
            Delete(name);
    }

    /// <inheritdoc />
    public override string ToString() => $"topic pool of {PoolTopic.Name} ({Count} topics)";

    private Entry Create(string name)
    {
        while (true)
        {
            var topic = PoolTopic.Bus.CreateTopic(PoolTopic.Name + "/" + name, $"pool topic of {PoolTopic.Name}");
            topic.MetricSeries = PoolTopic.Name + "/*"; // one metric series for the whole pool
            try
            {
                return new Entry(topic, PoolTopic.Bus.ForwardAll(topic, PoolTopic));
            }
            catch (ObjectDisposedException) when (!PoolTopic.IsDestroyed)
            {
                // The named topic was destroyed between its lookup and the forwarding: make a fresh one.
            }
        }
    }

    private static void ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException("A pool topic name must not be null, empty or white space.", nameof(name));
    }

    private sealed record Entry(Topic Topic, TopicForward Forward);
}
