using Akka.Actor;
using Stasis.Actors;

var system = ActorSystem.Create("pbx");
var bus = StasisBus.Get(system);
var channelType = bus.CreateMessageType<ChannelSnapshot>("channel_snapshot");
var all = bus.CreateTopic("channel:all");

// <readme:router>
var router = MessageRouter.Create(bus.GetTopic("channel:all")!, new SubscriptionOptions { Name = "cdr" });
router.AddRoute<ChannelSnapshot>((r, topic, message, channel) => Console.WriteLine($"{topic.Name}: {channel.State}"));
router.AddCacheRoute<ChannelSnapshot>((r, topic, message, update) => Console.WriteLine($"{update.Id}: {update.OldSnapshot} -> {update.NewSnapshot}"));
router.SetDefaultRoute((r, topic, message) => { if (r.IsFinalMessage(message)) Console.WriteLine("router done"); });
all.Publish(channelType, new ChannelSnapshot("1234.5", "Up"));   // prints "channel:all: Up"
await router.UnsubscribeAndJoinAsync();
// </readme:router>

var watcher = system.ActorOf(Props.Create(() => new ChannelWatcher(all)), "watcher");
await watcher.Ask<ActorIdentity>(new Identify(null));              // PreStart (which subscribes) has run
all.Publish(channelType, new ChannelSnapshot("1234.5", "Ringing"));

// <readme:async-handler>
var sub = all.Subscribe(async (s, topic, message) =>
{
    if (s.IsFinalMessage(message)) return;
    await File.AppendAllTextAsync("cdr.log", $"{message.Type.Name}\n");   // the next message waits for this
});
await sub.DisposeAsync();                                          // unsubscribe and join
// </readme:async-handler>

File.Delete("cdr.log");
await system.Terminate();

// <readme:router-actor>
sealed class ChannelWatcher : MessageRouterActor
{
    public ChannelWatcher(Topic topic) : base(topic)
    {
        Receive<ChannelSnapshot>(channel => Console.WriteLine($"{CurrentEnvelope!.Topic.Name}: {channel.State}"));
        ReceiveCacheUpdate<ChannelSnapshot>(update => Console.WriteLine(update));
        ReceiveAnyMessage(message => { if (Subscription.IsFinalMessage(message)) Context.Stop(Self); });
    }
}
// </readme:router-actor>

record ChannelSnapshot(string UniqueId, string State);
