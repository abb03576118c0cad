using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stasis.Actors;
using Stasis.Actors.Gateway;

namespace Stasis.Benchmarks.Workloads;

/// <summary>
/// JSON events over WebSocket to <c>clients</c> local clients: a Kestrel server on 127.0.0.1 and <see cref="ClientWebSocket"/>s
/// that count the frames they receive. The case publishes on the bus through the gateway; the baseline sends the same
/// JSON (made the same way, once per message) from a plain loop over the sockets, with no bus.
/// </summary>
public abstract class WebSocketWorkload : CountingWorkload
{
    private readonly WebApplication _app;
    private readonly List<ClientWebSocket> _clients = [];

    protected WebSocketWorkload(int clients, Action<IServiceCollection> services, Action<WebApplication> routes, string path) : base(clients)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        services(builder.Services);
        _app = builder.Build();
        _app.UseWebSockets();
        routes(_app);
        _app.StartAsync().GetAwaiter().GetResult();
        var address = _app.Urls.First().Replace("http://", "ws://", StringComparison.Ordinal);
        for (var i = 0; i < clients; i++)
        {
            var client = new ClientWebSocket();
            client.ConnectAsync(new Uri(address + path), CancellationToken.None).GetAwaiter().GetResult();
            _clients.Add(client);
            _ = ReadAsync(client, Counters[i]);
        }
    }

    /// <summary>
    /// The baseline's frame: the gateway's bytes for the same event (its fields plus topic and UTC timestamp), made
    /// the same way, once per message.
    /// </summary>
    protected static byte[] Frame(int seq, string topic)
    {
        var body = (JsonObject)Event(seq);
        body["topic"] = topic;
        body["timestamp"] = DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        return JsonSerializer.SerializeToUtf8Bytes<JsonNode>(body);
    }

    protected static JsonNode Event(int seq) => new JsonObject { ["type"] = "Beat", ["seq"] = seq };

    private static async Task ReadAsync(ClientWebSocket client, Counter counter)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var received = await client.ReceiveAsync(buffer, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                    return;
                if (received.EndOfMessage)
                    counter.Hit();
            }
        }
        catch (WebSocketException)
        {
        }
    }

    public override void Dispose()
    {
        foreach (var client in _clients)
            client.Abort();
        _app.StopAsync().GetAwaiter().GetResult();
        ((IDisposable)_app).Dispose();
    }
}

/// <summary>The case: messages published on a topic reach every client through the gateway's /events.</summary>
public sealed class GatewayWebSocketWorkload(StasisBus bus, int clients) : WebSocketWorkload(clients,
    services =>
    {
        services.AddSingleton(bus);
        services.AddStasisGateway(o => { o.Token = "bench"; o.AmiPort = 0; o.SendBufferMessages = 1_000_000; o.MaxConnections = 1000; });
    },
    app => app.MapStasisGateway(),
    $"/events?topic={Uri.EscapeDataString(TopicName)}&token=bench")
{
    // Field initializers run before the base constructor connects the clients: the topic exists by then.
    private readonly Topic _topic = bus.CreateTopic(TopicName);
    private readonly MessageType<Ping> _type = TypeFor(bus);

    private const string TopicName = "bench:gateway";

    private static MessageType<Ping> TypeFor(StasisBus bus) =>
        bus.CreateMessageType("bench_beat", new MessageTypeFormatters<Ping> { ToJson = (m, _) => Event(m.Payload.Seq) });

    protected override void Send(int messages)
    {
        for (var i = 0; i < messages; i++)
            _topic.Publish(_type, new Ping(i));
    }
}

/// <summary>The baseline: the same frames from a plain loop, through one bounded queue and one sender per socket.</summary>
public sealed class RawWebSocketWorkload(int clients) : WebSocketWorkload(clients, _ => { }, MapRaw, "/raw")
{
    private static readonly List<Channel<byte[]>> Queues = [];

    private static void MapRaw(WebApplication app) => app.Map("/raw", async context =>
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var queue = Channel.CreateBounded<byte[]>(1_000_000);
        lock (Queues)
            Queues.Add(queue);
        try
        {
            await foreach (var frame in queue.Reader.ReadAllAsync(context.RequestAborted))
                await socket.SendAsync(frame, WebSocketMessageType.Text, true, context.RequestAborted);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
    });

    protected override void Send(int messages)
    {
        Channel<byte[]>[] queues;
        lock (Queues)
            queues = [.. Queues.TakeLast(Fanout)];
        for (var i = 0; i < messages; i++)
        {
            var frame = Frame(i, "bench:gateway");
            foreach (var queue in queues)
                queue.Writer.TryWrite(frame);
        }
    }
}
