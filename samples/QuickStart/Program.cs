// <readme:quick-start>
using Akka.Actor;
using Stasis.Actors;

var system = ActorSystem.Create("pbx");
var bus = StasisBus.Get(system);                                   // the bus is an Akka extension
var snapshotType = bus.CreateMessageType<ChannelSnapshot>("channel_snapshot");
var all = bus.CreateTopic("channel:all");
var channel = bus.CreateTopic("channel:1234");
bus.ForwardAll(channel, all);                                      // channel:1234 -> channel:all

var sub = all.Subscribe((s, topic, message) =>
{
    if (s.IsFinalMessage(message)) { Console.WriteLine("cleanup"); return; }   // always the last call
    Console.WriteLine($"{message.Type.Name} from {topic.Name}: {message.Data}");
});
channel.Publish(snapshotType, new ChannelSnapshot("1234", "Up"));
await sub.UnsubscribeAndJoinAsync();                               // completes after the final handler returned
await system.Terminate();

record ChannelSnapshot(string UniqueId, string State);
// </readme:quick-start>
