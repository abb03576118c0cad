namespace Stasis.Actors.Gateway;

/// <summary>
/// One client's view of the bus: a private topic that the requested topics forward to, and one subscription on it.
/// Forwarding is flattened, so the subscription sees each publisher's messages in publish order across the topics.
/// </summary>
internal sealed class ClientFeed
{
    private readonly Topic _topic;
    private readonly List<TopicForward> _forwards;

    private ClientFeed(Topic topic, List<TopicForward> forwards, Subscription subscription) =>
        (_topic, _forwards, Subscription) = (topic, forwards, subscription);

    public Subscription Subscription { get; }

    /// <summary>
    /// Makes the feed <c>gateway:{kind}/{n}</c>. <paramref name="inline"/>: the handler runs on each publisher's thread
    /// (serialized by the subscription's lock), for handlers that only queue and never wait.
    /// </summary>
    public static ClientFeed Open(StasisGateway gateway, string kind, string description, IEnumerable<Topic> topics,
        SubscriptionHandler handler, MessageFormatters formatters, bool inline)
    {
        var topic = gateway.Bus.CreateTopic($"gateway:{kind}/{gateway.NextConnectionId()}", description);
        var forwards = topics.Select(t => t.ForwardTo(topic)).ToList();
        var options = new SubscriptionOptions { Name = "gateway-" + kind, AcceptFormatters = formatters };
        return new ClientFeed(topic, forwards, inline ? topic.SubscribeInline(handler, options) : topic.Subscribe(handler, options));
    }

    /// <summary>Stops forwarding, ends the subscription (its final message handled) and destroys the topic; safe twice.</summary>
    public async Task EndAsync()
    {
        foreach (var forward in _forwards)
            forward.Cancel();
        await Subscription.UnsubscribeAndJoinAsync();
        _topic.Destroy();
    }
}
