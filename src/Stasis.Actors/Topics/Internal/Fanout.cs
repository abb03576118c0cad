using Akka.Actor;

namespace Stasis.Actors.Internal;

/// <summary>
/// An immutable snapshot of every subscription a publish on one topic reaches: its own subscriptions and, flattened,
/// those of every topic it forwards to (each subscription once). Filtering subscriptions (selective, or by formatter)
/// are indexed by the message types they accept, so a message they filter out costs them nothing; for a formatter
/// filter that means every type of the bus with a matching formatter, so a new such type clears every snapshot.
/// </summary>
internal sealed class Fanout
{
    public static readonly Fanout Empty = new([], [], [], [], []);

    /// <param name="open">See <see cref="Open"/>.</param>
    /// <param name="pooled">See <see cref="Pooled"/>.</param>
    /// <param name="byType">See <see cref="ByType"/>.</param>
    /// <param name="pooledByType">See <see cref="PooledByType"/>.</param>
    /// <param name="clustered">See <see cref="Clustered"/>.</param>
    public Fanout(Subscription[] open, PoolSlice[] pooled, Subscription[]?[] byType, PoolSlice[]?[] pooledByType, Topic[] clustered)
    {
        Open = open;
        Pooled = pooled;
        AnyDeclines = open.Any(s => !s.Filter.Declined.IsEmpty);
        ByType = byType;
        PooledByType = pooledByType;
        Clustered = clustered;
    }

    /// <summary>Subscriptions with an actor of their own whose filter is open (they may still decline some types).</summary>
    public Subscription[] Open { get; }

    /// <summary>
    /// Pooled subscriptions whose filter is open, by pool actor: a publish tells each pool actor one message naming its
    /// slice, and the pool actor applies their declined types.
    /// </summary>
    public PoolSlice[] Pooled { get; }

    /// <summary>True when some subscription of <see cref="Open"/> declines a type (else the publish loop skips the check).</summary>
    public bool AnyDeclines { get; }

    /// <summary>Filtering subscriptions with an actor of their own, by the <see cref="MessageType.Index"/> of each type they accept.</summary>
    public Subscription[]?[] ByType { get; }

    /// <summary>Filtering pooled subscriptions, by the <see cref="MessageType.Index"/> of each type they accept, then by pool actor.</summary>
    public PoolSlice[]?[] PooledByType { get; }

    /// <summary>The clustered topics a publish reaches (the topic itself and those it forwards to): see <see cref="IRemotePublisher"/>.</summary>
    public Topic[] Clustered { get; }

    public static Fanout Build(IReadOnlyCollection<Subscription> subscriptions, Topic[] clustered)
    {
        if (subscriptions.Count == 0)
            return clustered.Length == 0 ? Empty : new Fanout([], [], [], [], clustered);
        var open = new List<Subscription>();
        var pooled = new List<Subscription>();
        var byType = new Dictionary<int, List<Subscription>>();
        var pooledByType = new Dictionary<int, List<Subscription>>();
        foreach (var subscription in subscriptions)
        {
            var filter = subscription.Filter;
            if (filter.IsOpen)
            {
                (subscription.IsPooled ? pooled : open).Add(subscription);
                continue;
            }
            var accepted = filter.Formatters == MessageFormatters.None
                ? filter.Accepted
                : subscription.Topic.Bus.MessageTypes.Where(filter.Accepts);
            var table = subscription.IsPooled ? pooledByType : byType;
            foreach (var type in accepted)
            {
                if (!table.TryGetValue(type.Index, out var list))
                    table[type.Index] = list = [];
                list.Add(subscription);
            }
        }
        return new Fanout([.. open], Slices(pooled), Table(byType, list => list.ToArray()), Table(pooledByType, Slices), clustered);
    }

    private static T?[] Table<T>(Dictionary<int, List<Subscription>> byIndex, Func<List<Subscription>, T> make) where T : class
    {
        var table = new T?[byIndex.Count == 0 ? 0 : byIndex.Keys.Max() + 1];
        foreach (var (index, list) in byIndex)
            table[index] = make(list);
        return table;
    }

    /// <summary>Groups pooled subscriptions by their pool actor.</summary>
    private static PoolSlice[] Slices(List<Subscription> pooled) =>
        [.. pooled.GroupBy(s => s.Actor).Select(g => new PoolSlice(g.Key, [.. g]))];
}

/// <summary>The pooled subscriptions of one pool actor that a publish reaches.</summary>
internal sealed record PoolSlice(IActorRef Pool, Subscription[] Subscriptions);

/// <summary>Which of a topic's snapshots a <see cref="Fanout"/> is.</summary>
internal enum FanoutKind
{
    /// <summary>Every subscription a publish reaches (its own and, flattened, those of the topics it forwards to).</summary>
    Publish,

    /// <summary>Only the subscriptions accepting subscription-change messages: what a Subscribe or Unsubscribe change reaches.</summary>
    Changes,
}
