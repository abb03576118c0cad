using Akka.Actor;
using Stasis.Actors;

var system = ActorSystem.Create("pbx");
var bus = StasisBus.Get(system);
var channelType = bus.CreateMessageType<ChannelSnapshot>("channel_snapshot");
var snapshot = new ChannelSnapshot("1234.5", "Up");
var allTopic = bus.CreateTopic("channel:all");

// <readme:cache>
var cache = new StasisCache(bus, m => (m.Data as ChannelSnapshot)?.UniqueId);
var cached = cache.CreateCachingTopic(bus.GetTopic("channel:all")!);   // its Topic is "channel:all-cached"
cached.Topic.Subscribe((s, t, m) => { if (m.Data is CacheUpdate u) Console.WriteLine(u); });

allTopic.Publish(channelType, snapshot);                                             // CacheUpdate(old: none, new: snapshot)
var one = cache.Get(channelType, "1234.5");              // already there: the local node's snapshot, or null
var dump = cache.Dump(channelType);                      // every node's snapshots of the type

allTopic.Publish(StasisCache.ClearType(bus), new CacheClear(channelType, "1234.5"));    // CacheUpdate(old: snapshot, new: none)
// </readme:cache>
Console.WriteLine($"cached: {one?.Data}, {dump.Count} in the dump, after the clear: {cache.Get(channelType, "1234.5")?.Data ?? "none"}");
await cached.DisposeAsync();
allTopic.Destroy();

// <readme:pools>
var pool = new TopicPool(bus.CreateTopic("channel:all"));
var chan = pool.GetTopic("1234.5");          // topic "channel:all/1234.5", forwarding to channel:all
chan.Publish(channelType, snapshot);         // channel:all subscribers are told the original topic, channel:all/1234.5
pool.Exists("1234.5");                       // true
pool.Delete("1234.5");                       // forwarding cancelled, topic destroyed (its subscribers get their final message)

using var channels = new CachingPattern(bus, "channel", m => (m.Data as ChannelSnapshot)?.UniqueId);
channels.GetTopic("1234.5").Publish(channelType, snapshot);
// -> subscribers of channel:all/1234.5, of channels.All (channel:all), a CacheUpdate on channels.AllCached.Topic
//    (channel:all-cached), and channels.Cache.Get(channelType, "1234.5")
// </readme:pools>
Console.WriteLine($"pattern cache: {channels.Cache.Get(channelType, "1234.5")?.Data}");
await system.Terminate();

record ChannelSnapshot(string UniqueId, string State);
