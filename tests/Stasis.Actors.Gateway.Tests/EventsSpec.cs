using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Stasis.Actors.Gateway.Tests;

/// <summary>The events WebSocket with real <see cref="ClientWebSocket"/>s against Kestrel on 127.0.0.1.</summary>
public sealed class EventsSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_client_receives_every_formattable_message_in_order_then_the_final_frame_and_a_close()
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = await ConnectAsync(host.Events("channel:all"));
        var pool = new TopicPool(host.All);
        for (var i = 0; i < 500; i++)
        {
            pool.GetTopic("c" + (i % 7)).Publish(host.BeatType, new Beat(i)); // through forwarding, as channel traffic does
            host.All.Publish(host.SilentType, new Beat(-1));                  // no JSON formatter: filtered, never sent
        }
        for (var i = 0; i < 500; i++)
        {
            var frame = await ReceiveJsonAsync(client);
            Assert.Equal("Beat", (string?)frame!["type"]);
            Assert.Equal(i, (int)frame["seq"]!);
            Assert.StartsWith("channel:all/c", (string?)frame["topic"]);
        }

        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        var end = await ReceiveJsonAsync(client);
        Assert.Equal("StasisEnd", (string?)end!["type"]);
        Assert.Null(await ReceiveJsonAsync(client));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
        await WaitUntil(() => host.Gateway.WebSocketConnections == 0 && host.Bus.GetTopic("gateway:events/1") is null);
    }

    [Fact]
    public async Task Stopping_the_host_ends_each_client_with_the_final_frame()
    {
        var host = await GatewayHost.StartAsync();
        using var client = await ConnectAsync(host.Events("channel:all"));
        host.All.Publish(host.BeatType, new Beat(1));
        Assert.Equal(1, (int)(await ReceiveJsonAsync(client))!["seq"]!);

        var stopping = host.DisposeAsync().AsTask();
        var end = await ReceiveJsonAsync(client);
        Assert.Equal("StasisEnd", (string?)end!["type"]);
        await stopping.WaitAsync(Patience);
    }

    [Fact]
    public async Task Bad_credentials_unknown_topics_and_plain_requests_are_refused_before_any_upgrade()
    {
        await using var host = await GatewayHost.StartAsync();
        using var http = new HttpClient { BaseAddress = host.HttpBase };

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/events?topic=channel:all&token=wrong")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/stats")).StatusCode);
        var unknown = await http.GetAsync($"/events?topic=no:such&token={GatewayHost.Token}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("unknown topic no:such", await unknown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync($"/events?topic=channel:all&token={GatewayHost.Token}")).StatusCode);
        Assert.Equal(2, host.Gateway.AuthFailures);

        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(host.Events("no:such"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, socket.HttpStatusCode);

        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/stats");
        bearer.Headers.Authorization = new("Bearer", GatewayHost.Token);
        var stats = await http.SendAsync(bearer);
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.False((bool)JsonNode.Parse(await stats.Content.ReadAsStringAsync())!["overloaded"]!);
    }

    [Fact]
    public async Task Connections_beyond_the_limit_are_refused_with_503()
    {
        await using var host = await GatewayHost.StartAsync(o => o.MaxConnections = 2);
        using var a = await ConnectAsync(host.Events("channel:all"));
        using var b = await ConnectAsync(host.Events("channel:all"));
        using var c = new ClientWebSocket();
        c.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => c.ConnectAsync(host.Events("channel:all"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, c.HttpStatusCode);
    }

    [Fact]
    public async Task A_stalled_client_is_disconnected_while_another_keeps_every_message()
    {
        const int count = 20_000;
        await using var host = await GatewayHost.StartAsync(o => o.SendBufferMessages = 100);
        using var stalled = await ConnectAsync(host.Events("channel:all")); // never reads
        using var reader = await ConnectAsync(host.Events("channel:all"));
        var padding = new string('x', 2048);
        var received = System.Threading.Channels.Channel.CreateUnbounded<int>();
        var reading = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                var frame = await ReceiveJsonAsync(reader);
                Assert.True(frame is not null, $"the reading client was closed after {i} messages: {reader.CloseStatus} {reader.CloseStatusDescription}");
                Assert.Equal(i, (int)frame["seq"]!);
                received.Writer.TryWrite(i);
            }
        });
        // Traffic at the pace of a client that keeps up (batches of 50): the stalled one falls behind by the whole run.
        for (var i = 0; i < count; i += 50)
        {
            for (var j = i; j < i + 50; j++)
                host.All.Publish(host.BeatType, new Beat(j, padding));
            while (await received.Reader.ReadAsync().AsTask().WaitAsync(Patience) < i + 49)
            {
            }
        }

        await reading.WaitAsync(Patience);
        await WaitUntil(() => host.Gateway.Overflows == 1 && host.Gateway.WebSocketConnections == 1,
            () => $"overflows {host.Gateway.Overflows}, connections {host.Gateway.WebSocketConnections}, frames sent {host.Gateway.FramesSent}");
        Assert.False(host.Bus.IsOverloaded);
        // The stalled client, reading at last, finds its connection ended (closed with the reason, or cut off).
        var ended = await DrainUntilClosedAsync(stalled).WaitAsync(Patience);
        Assert.True(ended is WebSocketCloseStatus.PolicyViolation or null, $"close status {ended}");
    }

    internal static async Task<ClientWebSocket> ConnectAsync(Uri uri)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(Patience);
        return socket;
    }

    /// <summary>The next text frame as JSON, or null once the server closed.</summary>
    internal static async Task<JsonNode?> ReceiveJsonAsync(WebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Patience);
            if (received.MessageType == WebSocketMessageType.Close)
                return null;
            message.Write(buffer, 0, received.Count);
            if (received.EndOfMessage)
                return JsonNode.Parse(Encoding.UTF8.GetString(message.ToArray()));
        }
    }

    private static async Task<WebSocketCloseStatus?> DrainUntilClosedAsync(WebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                    return socket.CloseStatus;
            }
        }
        catch (WebSocketException)
        {
            return null; // aborted: the server cut the connection
        }
    }

    private async Task WaitUntil(Func<bool> condition, Func<string>? state = null)
    {
        try
        {
            await AwaitConditionAsync(() => Task.FromResult(condition()), Patience);
        }
        catch (Exception ex) when (state is not null)
        {
            throw new Xunit.Sdk.XunitException($"{ex.Message} ({state()})");
        }
    }
}
