using Stasis.Actors;
using Stasis.Actors.Caching;
using Stasis.Actors.Messages;
using Stasis.Actors.Subscriptions;
using Stasis.Actors.Topics;

namespace Stasis.Host.Traffic;

/// <summary>
/// The channel side of the bus, as Asterisk's <c>stasis_channels.c</c> sets it up: the channel message types, one
/// topic per channel from a topic pool forwarding to <c>channel:all</c>, and the caching topic
/// <c>channel:all-cached</c> that keeps the latest <see cref="ChannelSnapshot"/> per unique id.
/// </summary>
/// <remarks>Thread-safe. Disposing deletes the topics (their subscriptions get their final messages).</remarks>
internal sealed class ChannelTopics : IDisposable
{
    /// <summary>The prefix of per-channel topic names.</summary>
    public const string ChannelTopicPrefix = "channel:";

    private readonly StasisBus _bus;
    private readonly CachingTopic _cachingTopic;

    private ChannelTopics(StasisBus bus)
    {
        _bus = bus;
        SnapshotType = bus.CreateMessageType<ChannelSnapshot>("ast_channel_snapshot_type");
        DialType = bus.CreateMessageType<ChannelDial>("ast_channel_dial_type");
        DtmfType = bus.CreateMessageType<ChannelDtmf>("ast_channel_dtmf_end_type");
        VarSetType = bus.CreateMessageType<ChannelVarSet>("ast_channel_varset_type");
        ClearType = StasisCache.ClearType(bus);
        All = bus.CreateTopic("channel:all", "All channel messages");
        Cache = new StasisCache(bus, message => message is StasisMessage<ChannelSnapshot> snapshot ? snapshot.Payload.UniqueId : null);
        _cachingTopic = Cache.CreateCachingTopic(All, "channel:all-cached");
    }

    /// <summary>The type of channel snapshots.</summary>
    public MessageType<ChannelSnapshot> SnapshotType { get; }

    /// <summary>The type of dial events.</summary>
    public MessageType<ChannelDial> DialType { get; }

    /// <summary>The type of DTMF events.</summary>
    public MessageType<ChannelDtmf> DtmfType { get; }

    /// <summary>The type of variable-set events.</summary>
    public MessageType<ChannelVarSet> VarSetType { get; }

    /// <summary>The type of cache clears (removes a hung-up channel's snapshot from the cache).</summary>
    public MessageType<CacheClear> ClearType { get; }

    /// <summary>The channel cache: the latest snapshot per channel unique id.</summary>
    public StasisCache Cache { get; }

    /// <summary><c>channel:all</c>: every channel's messages.</summary>
    public Topic All { get; }

    /// <summary><c>channel:all-cached</c>: cache updates of the channel snapshots.</summary>
    public Topic Cached => _cachingTopic.Topic;

    /// <summary>The caching topic's subscription to <see cref="All"/>.</summary>
    public Subscription CacheSubscription => _cachingTopic.Subscription;

    /// <summary>Makes the channel topics of <paramref name="bus"/>.</summary>
    public static ChannelTopics Create(StasisBus bus) => new(bus);

    /// <summary>The topic of channel <paramref name="uniqueId"/>, made on first use.</summary>
    public Topic ForChannel(string uniqueId)
    {
        var name = ChannelTopicPrefix + uniqueId;
        if (_bus.GetTopic(name) is { } existing)
            return existing;
        var topic = _bus.CreateTopic(name);
        _bus.ForwardAll(topic, All);
        return topic;
    }

    /// <summary>True when <paramref name="topic"/> is a per-channel topic (not <see cref="All"/> nor <see cref="Cached"/>).</summary>
    public bool IsChannelTopic(Topic topic) =>
        topic.Name.StartsWith(ChannelTopicPrefix, StringComparison.Ordinal) && topic != All && topic != Cached;

    /// <summary>The message that removes channel <paramref name="uniqueId"/> from the cache, or null when that type is declined.</summary>
    public StasisMessage? CacheClear(string uniqueId) => ClearType.CreateMessage(new CacheClear(SnapshotType, uniqueId));

    /// <summary>Deletes the topic of channel <paramref name="uniqueId"/> (after its last message).</summary>
    public void Release(string uniqueId) => _bus.GetTopic(ChannelTopicPrefix + uniqueId)?.Dispose();

    /// <inheritdoc />
    public void Dispose()
    {
        _cachingTopic.Dispose();
        All.Dispose();
    }
}
