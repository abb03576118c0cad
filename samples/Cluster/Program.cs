// One node of a cluster sharing channel:all. Two terminals:
//   dotnet run --project samples/Cluster -- 4053                   (the first node, its own seed)
//   dotnet run --project samples/Cluster -- 4054 127.0.0.1:4053    (a second node joining it)
using Akka.Actor;
using Stasis.Actors;
using Stasis.Actors.Cluster;

var port = args.Length > 0 ? int.Parse(args[0]) : 4053;
string[] seeds = args.Length > 1 ? args[1..] : [$"127.0.0.1:{port}"];
var otherNodes = seeds.Count(seed => seed != $"127.0.0.1:{port}");

// <readme:cluster>
var system = ActorSystem.Create("pbx", StasisCluster.NodeConfig("pbx", port, seeds));
var cluster = StasisCluster.Get(system);
var snapshotType = cluster.Bus.CreateMessageType<ChannelSnapshot>("channel_snapshot");   // same name on every node
var all = cluster.MarkClustered("channel:all");          // or stasis.cluster.clustered-topics = ["channel:all"]
all.Subscribe((s, topic, m) => Console.WriteLine($"{m.Data} from {(cluster.IsLocal(m) ? "this node" : m.Eid)}"));
await cluster.WaitForSubscribersAsync(all, nodeCount: otherNodes);   // optional: the others are reachable on it
all.Publish(snapshotType, new ChannelSnapshot($"{port}.1", "Up"));   // every node's subscribers; message.Eid = this node
// </readme:cluster>

Console.WriteLine("Ctrl+C to leave the cluster");
var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
await stop.Task;
await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);

record ChannelSnapshot(string UniqueId, string State);
