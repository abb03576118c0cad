using Stasis.Actors;

namespace Stasis.Host.Traffic;

/// <summary>
/// The channel side of the bus, as Asterisk's <c>stasis_channels.c</c> sets it up: the channel message types (with JSON
/// and AMI formatters, <see cref="ChannelFormatters"/>) and the
/// channel caching pattern: one topic per channel (<c>channel:all/&lt;uniqueid&gt;</c>) from a topic pool forwarding
/// to <c>channel:all</c>, and the caching topic <c>channel:all-cached</c> that keeps the latest
/// <see cref="ChannelSnapshot"/> per unique id.
/// </summary>
/// <remarks>Thread-safe. Disposing deletes the topics (their subscriptions get their final messages).</remarks>
internal sealed class ChannelTopics : IDisposable
{
    private readonly CachingPattern _pattern;

    private ChannelTopics(StasisBus bus)
    {
        SnapshotType = bus.CreateMessageType("ast_channel_snapshot_type", ChannelFormatters.Snapshot);
        DialType = bus.CreateMessageType("ast_channel_dial_type", ChannelFormatters.Dial);
        DtmfType = bus.CreateMessageType("ast_channel_dtmf_end_type", ChannelFormatters.Dtmf);
        VarSetType = bus.CreateMessageType("ast_channel_varset_type", ChannelFormatters.VarSet);
        ClearType = StasisCache.ClearType(bus);
        _pattern = new CachingPattern(bus, "channel", message => message is StasisMessage<ChannelSnapshot> snapshot ? snapshot.Payload.UniqueId : null);
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
    public StasisCache Cache => _pattern.Cache;

    /// <summary><c>channel:all</c>: every channel's messages.</summary>
    public Topic All => _pattern.All;

    /// <summary><c>channel:all-cached</c>: cache updates of the channel snapshots.</summary>
    public Topic Cached => _pattern.AllCached.Topic;

    /// <summary>The caching topic that writes <see cref="Cache"/> and publishes on <see cref="Cached"/>.</summary>
    public CachingTopic CachingTopic => _pattern.AllCached;

    /// <summary>The caching topic's subscription to <see cref="All"/>.</summary>
    public Subscription CacheSubscription => _pattern.AllCached.Subscription;

    /// <summary>Makes the channel topics of <paramref name="bus"/>.</summary>
    public static ChannelTopics Create(StasisBus bus) => new(bus);

    /// <summary>The topic of channel <paramref name="uniqueId"/>, made on first use.</summary>
    public Topic ForChannel(string uniqueId) => _pattern.GetTopic(uniqueId);

    /// <summary>True when <paramref name="topic"/> is a per-channel topic of the pool.</summary>
    public bool IsChannelTopic(Topic topic) =>
        topic.Name.StartsWith(All.Name + "/", StringComparison.Ordinal) && _pattern.Topics.Exists(topic.Name[(All.Name.Length + 1)..]);

    /// <summary>The message that removes channel <paramref name="uniqueId"/> from the cache, or null when that type is declined.</summary>
    public StasisMessage? CacheClear(string uniqueId) => ClearType.CreateMessage(new CacheClear(SnapshotType, uniqueId));

    /// <summary>Deletes the topic of channel <paramref name="uniqueId"/> (after its last message).</summary>
    public void Release(string uniqueId) => _pattern.DeleteTopic(uniqueId);

    /// <inheritdoc />
    public void Dispose() => _pattern.Dispose();
}
