using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Stasis.Actors;
using Stasis.Actors.Gateway;
using Stasis.Actors.Hosting;

// <readme:gateway>
var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls("http://127.0.0.1:0");                 // any free port on this machine
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddStasis("pbx");
builder.Services.AddStasisGateway(o =>
{
    o.Token = "change-me";                                     // clients: Authorization: Bearer change-me (or ?token=)
    o.AmiPort = 0;                                             // AMI off here (default 5038; AmiUsername/AmiSecret)
});
var app = builder.Build();
app.UseWebSockets();
app.MapStasisGateway();                                        // GET / (dashboard), /events (WebSocket), /stats
await app.StartAsync();

var bus = app.Services.GetRequiredService<StasisBus>();
var hangups = bus.CreateMessageType("channel_hangup", new MessageTypeFormatters<Hangup>
{
    ToJson = (m, _) => new JsonObject { ["type"] = "ChannelDestroyed", ["channel"] = new JsonObject { ["id"] = m.Payload.UniqueId } },
});
var all = bus.CreateTopic("channel:all");

var url = app.Urls.First().Replace("http://", "ws://") + "/events?topic=channel:all&token=change-me";
using var client = new ClientWebSocket();                      // any WebSocket client, in any language
await client.ConnectAsync(new Uri(url), CancellationToken.None);
all.Publish(hangups, new Hangup("1234.5"));
var buffer = new byte[4096];
var frame = await client.ReceiveAsync(buffer, CancellationToken.None);
Console.WriteLine(Encoding.UTF8.GetString(buffer, 0, frame.Count));
// {"type":"ChannelDestroyed","channel":{"id":"1234.5"},"topic":"channel:all","timestamp":"..."}
await app.StopAsync();                                         // the client gets {"type":"StasisEnd",...} and a close
// </readme:gateway>

record Hangup(string UniqueId);
