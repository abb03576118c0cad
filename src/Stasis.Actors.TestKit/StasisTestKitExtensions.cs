using Akka.TestKit;

namespace Stasis.Actors.TestKit;

/// <summary>Test helpers for the bus on Akka.TestKit, usable from xunit, NUnit or MSTest TestKits alike.</summary>
public static class StasisTestKitExtensions
{
    /// <summary>
    /// Subscribes a new <see cref="TestProbe"/> to <paramref name="topic"/> and consumes its "Subscribe" change, so the
    /// next expectation sees the first published message.
    /// </summary>
    /// <param name="topic">The topic to subscribe to.</param>
    /// <param name="testKit">The test's TestKit (<c>this</c> in a TestKit subclass).</param>
    /// <param name="options">Subscription options (name, filters, water marks).</param>
    /// <returns>The subscribed probe.</returns>
    public static StasisProbe SubscribeProbe(this Topic topic, TestKitBase testKit, SubscriptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(testKit);
        var probe = testKit.CreateTestProbe();
        var subscription = topic.Subscribe(probe.Ref, options);
        var first = probe.ExpectMsg<StasisEnvelope>().Message;
        if (first is not StasisMessage<SubscriptionChange> { Payload.Kind: SubscriptionChangeKind.Subscribe } change
            || change.Payload.SubscriptionId != subscription.Id)
            throw new StasisExpectationException($"Expected the Subscribe change of {subscription}, got message type {first.Type.Name}.");
        return new StasisProbe(probe, topic, subscription);
    }

    /// <summary>
    /// Waits until <paramref name="cache"/> holds the local node's entry for (<paramref name="type"/>,
    /// <paramref name="id"/>) that satisfies <paramref name="match"/> (any entry when null), and returns it. For caches
    /// written from elsewhere (another node, another thread); a local publish has already written the cache when it
    /// returns.
    /// </summary>
    /// <param name="cache">The cache to read.</param>
    /// <param name="testKit">The test's TestKit, whose time factor scales <paramref name="timeout"/>.</param>
    /// <param name="type">The snapshot's message type.</param>
    /// <param name="id">The snapshot's id.</param>
    /// <param name="match">An optional condition on the entry.</param>
    /// <param name="timeout">How long to wait (dilated); null for the TestKit's remaining time or default.</param>
    public static StasisMessage AwaitEntry(this StasisCache cache, TestKitBase testKit, MessageType type, string id,
        Func<StasisMessage, bool>? match = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(testKit);
        StasisMessage? found = null;
        testKit.AwaitAssert(() =>
        {
            found = cache.Get(type, id);
            if (found is null || (match is not null && !match(found)))
                throw new StasisExpectationException(found is null
                    ? $"No cache entry of type {type.Name} with id {id}."
                    : $"The cache entry of type {type.Name} with id {id} does not match: {found.Data}.");
        }, timeout is null ? null : testKit.Dilated(timeout.Value));
        return found!;
    }
}
