
namespace Stasis.Actors.Internal;

/// <summary>
/// An immutable snapshot of every subscription a publish on one topic reaches: its own subscriptions and, flattened,
/// those of every topic it forwards to (each subscription once). Filtering subscriptions (selective, or by formatter)
/// are indexed by the message types they accept, so a message they filter out costs them nothing; for a formatter
/// filter that means every type of the bus with a matching formatter, so a new such type clears every snapshot.
/// </summary>
internal sealed class Fanout
{
    public static readonly Fanout Empty = new([], [], []);

    /// <param name="open">See <see cref="Open"/>.</param>
    /// <param name="byType">See <see cref="ByType"/>.</param>
    /// <param name="clustered">See <see cref="Clustered"/>.</param>
    public Fanout(Subscription[] open, Subscription[]?[] byType, Topic[] clustered)
    {
        Open = open;
        AnyDeclines = open.Any(s => !s.Filter.Declined.IsEmpty);
        ByType = byType;
        Clustered = clustered;
    }

    /// <summary>Subscriptions whose filter is open (they may still decline some types).</summary>
    public Subscription[] Open { get; }

    /// <summary>True when some subscription of <see cref="Open"/> declines a type (else the publish loop skips the check).</summary>
    public bool AnyDeclines { get; }

    /// <summary>Filtering subscriptions, by the <see cref="MessageType.Index"/> of each type they accept.</summary>
    public Subscription[]?[] ByType { get; }

    /// <summary>The clustered topics a publish reaches (the topic itself and those it forwards to): see <see cref="IRemotePublisher"/>.</summary>
    public Topic[] Clustered { get; }

    public static Fanout Build(IReadOnlyCollection<Subscription> subscriptions, Topic[] clustered)
    {
        if (subscriptions.Count == 0)
            return clustered.Length == 0 ? Empty : new Fanout([], [], clustered);
        var open = new List<Subscription>();
        var byType = new Dictionary<int, List<Subscription>>();
        foreach (var subscription in subscriptions)
        {
            var filter = subscription.Filter;
            if (filter.IsOpen)
            {
                open.Add(subscription);
                continue;
            }
            var accepted = filter.Formatters == MessageFormatters.None
                ? filter.Accepted
                : subscription.Topic.Bus.MessageTypes.Where(filter.Accepts);
            foreach (var type in accepted)
            {
                if (!byType.TryGetValue(type.Index, out var list))
                    byType[type.Index] = list = [];
                list.Add(subscription);
            }
        }
        var table = new Subscription[]?[byType.Count == 0 ? 0 : byType.Keys.Max() + 1];
        foreach (var (index, list) in byType)
            table[index] = [.. list];
        return new Fanout([.. open], table, clustered);
    }
}

/// <summary>Which of a topic's snapshots a <see cref="Fanout"/> is.</summary>
internal enum FanoutKind
{
    /// <summary>Every subscription a publish reaches (its own and, flattened, those of the topics it forwards to).</summary>
    Publish,

    /// <summary>Only the subscriptions accepting subscription-change messages: what a Subscribe or Unsubscribe change reaches.</summary>
    Changes,
}
