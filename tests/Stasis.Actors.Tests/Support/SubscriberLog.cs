
namespace Stasis.Actors.Tests.Support;

/// <summary>A payload that says who published it and its place in that publisher's sequence.</summary>
public sealed record Tick(int Publisher, int Seq);

/// <summary>
/// Records every handler call of one subscription (calls are serialized, so no lock is needed while it runs; read it
/// after the subscription's join, which orders the reads after the last call).
/// </summary>
public sealed class SubscriberLog
{
    private readonly List<StasisMessage> _calls = [];
    private int _finals;

    /// <summary>The handler to subscribe with; <paramref name="fail"/> decides (per call number, from 1) whether it throws.</summary>
    public SubscriptionHandler Handler(Func<int, StasisMessage, bool>? fail = null, Action<StasisMessage>? work = null) => (sub, _, message) =>
    {
        _calls.Add(message);
        if (sub.IsFinalMessage(message))
        {
            Interlocked.Increment(ref _finals);
            return;
        }
        work?.Invoke(message);
        if (fail?.Invoke(_calls.Count, message) == true)
            throw new InvalidOperationException($"boom on call {_calls.Count}");
    };

    public IReadOnlyList<StasisMessage> Calls => _calls;

    public int Finals => Volatile.Read(ref _finals);

    public IEnumerable<Tick> Ticks => _calls.Select(m => m.Data).OfType<Tick>();

    /// <summary>
    /// Checks the promises every subscription keeps: its own Subscribe change first, its final message exactly once and
    /// last (when <paramref name="ended"/>), and each publisher's ticks in order without duplicates or gaps.
    /// </summary>
    public void AssertFramedAndContiguous(Subscription subscription, bool ended = true, bool gapsAllowed = false)
    {
        Assert.NotEmpty(_calls);
        Assert.True(_calls[0] is StasisMessage<SubscriptionChange> { Payload: { Kind: SubscriptionChangeKind.Subscribe } first } && first.SubscriptionId == subscription.Id,
            $"{subscription}: first call was {_calls[0]}");
        if (ended)
        {
            Assert.Equal(1, _calls.Count(subscription.IsFinalMessage));
            Assert.True(subscription.IsFinalMessage(_calls[^1]), $"{subscription}: last call was {_calls[^1]}");
        }
        else
        {
            Assert.DoesNotContain(_calls, subscription.IsFinalMessage);
        }
        foreach (var publisher in Ticks.GroupBy(t => t.Publisher))
        {
            var seqs = publisher.Select(t => t.Seq).ToList();
            for (var i = 1; i < seqs.Count; i++)
                Assert.True(gapsAllowed ? seqs[i] > seqs[i - 1] : seqs[i] == seqs[i - 1] + 1, $"{subscription}: publisher {publisher.Key} went {seqs[i - 1]} -> {seqs[i]}");
        }
    }

    /// <summary>Checks that each of <paramref name="published"/>'s publishers' ticks arrived completely: 0 .. count - 1.</summary>
    public void AssertReceivedAll(Subscription subscription, IReadOnlyDictionary<int, int> published)
    {
        foreach (var (publisher, count) in published)
        {
            var seqs = Ticks.Where(t => t.Publisher == publisher).Select(t => t.Seq).ToList();
            Assert.True(seqs.SequenceEqual(Enumerable.Range(0, count)),
                $"{subscription}: publisher {publisher} published {count}, received {seqs.Count} (first gap near {FirstGap(seqs)})");
        }
    }

    /// <summary>Checks that each publisher's ticks that arrived are a prefix 0 .. k - 1 of what it published (an ended subscription).</summary>
    public void AssertPrefix(Subscription subscription)
    {
        foreach (var publisher in Ticks.GroupBy(t => t.Publisher))
        {
            var seqs = publisher.Select(t => t.Seq).ToList();
            Assert.True(seqs.SequenceEqual(Enumerable.Range(0, seqs.Count)),
                $"{subscription}: publisher {publisher.Key}'s ticks are not a prefix (first gap near {FirstGap(seqs)})");
        }
    }

    private static int FirstGap(List<int> seqs) => Enumerable.Range(0, seqs.Count).FirstOrDefault(i => seqs[i] != i, seqs.Count);
}
