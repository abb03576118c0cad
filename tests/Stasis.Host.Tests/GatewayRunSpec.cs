using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Stasis.Host.Tests.Support;

namespace Stasis.Host.Tests;

/// <summary>The host with its gateway on: real WebSocket and AMI clients on 127.0.0.1 during a run.</summary>
[Collection(HostRunner.Collection)]
public sealed class GatewayRunSpec
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Fifty_websocket_clients_and_an_ami_client_follow_the_default_traffic_without_loss()
    {
        const int clients = 50;
        var (http, ami) = LoopbackPorts.Pair();
        var config = await TokenConfigAsync();
        try
        {
            var (run, listening) = HostRunner.RunUntilShown("Gateway: dashboard", "--duration", "10", "--http-port", LoopbackPorts.Text(http),
                "--ami-port", LoopbackPorts.Text(ami), "--config", config);
            await listening.WaitAsync(Patience);
            var sockets = new List<ClientWebSocket>();
            for (var i = 0; i < clients; i++)
                sockets.Add(await ConnectAsync(new Uri($"ws://127.0.0.1:{LoopbackPorts.Text(http)}/events?topic=channel:all&token=spec")));
            var receiving = sockets.Select(ReceiveUntilEndAsync).ToList();
            var amiEvents = ReadAmiEventsAsync(ami);

            var result = await run.WaitAsync(Patience);
            var frames = await Task.WhenAll(receiving).WaitAsync(Patience);

            result.AssertSucceeded();
            // No gateway subscription fell behind, and no client was cut off.
            Assert.DoesNotContain(result.Output.Split('\n'), line => line.Contains("gateway-events", StringComparison.Ordinal) && line.Contains("queue reached", StringComparison.Ordinal));
            Assert.DoesNotContain("too slow", result.Output);
            Assert.All(frames, f => Assert.Equal("StasisEnd", f[^1].Type));
            // Every channel a client saw created, it saw to its end; every client saw that channel's events alike.
            var byChannel = frames.Select(PerChannel).ToList();
            var common = byChannel.Select(c => c.Keys.ToHashSet()).Aggregate((a, b) => { a.IntersectWith(b); return a; });
            Assert.True(common.Count > 1000, $"{common.Count} channels seen by every client");
            foreach (var channel in common)
            {
                var reference = byChannel[0][channel];
                Assert.Equal("ChannelCreated", reference[0]);
                Assert.Equal("ChannelDestroyed", reference[^1]);
                Assert.All(byChannel, c => Assert.Equal(reference, c[channel]));
            }
            var events = await amiEvents.WaitAsync(Patience);
            Assert.Contains("Event: Newchannel", events);
            Assert.Contains("Event: Hangup", events);
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task A_client_without_the_token_is_refused_and_a_run_prints_where_the_gateway_listens()
    {
        var (http, ami) = LoopbackPorts.Pair();
        var (run, listening) = HostRunner.RunUntilShown("Gateway: dashboard", "--duration", "2", "--http-port", LoopbackPorts.Text(http), "--ami-port", LoopbackPorts.Text(ami));
        await listening.WaitAsync(Patience);
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://127.0.0.1:{LoopbackPorts.Text(http)}/events?topic=channel:all&token=wrong"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);

        var result = await run.WaitAsync(Patience);
        result.AssertSucceeded();
        Assert.Matches($@"Gateway: dashboard http://127\.0\.0\.1:{LoopbackPorts.Text(http)}/\?token=[0-9a-f]{{24}}", result.Output); // generated for the run
        Assert.Matches($@"Gateway: AMI on 127\.0\.0\.1:{LoopbackPorts.Text(ami)} \(Username admin, Secret [0-9a-f]{{24}}\)", result.Output);
        Assert.Contains("refused: bad credentials", result.Output);
    }

    [Fact]
    public async Task The_dashboard_in_headless_chromium_shows_live_numbers_within_3_seconds()
    {
        var (http, _) = LoopbackPorts.Pair();
        var config = await TokenConfigAsync();
        try
        {
            var (run, listening) = HostRunner.RunUntilShown("Gateway: dashboard", "--duration", "8", "--http-port", LoopbackPorts.Text(http), "--ami-port", "0", "--config", config);
            await listening.WaitAsync(Patience);
            await using var browser = await HeadlessChromium.LaunchAsync(new Uri($"http://127.0.0.1:{LoopbackPorts.Text(http)}/?token=spec"));
            const string read = """
                JSON.stringify({
                  status: document.getElementById('status')?.textContent ?? '',
                  events: +(document.getElementById('events')?.textContent ?? 0),
                  calls: +(document.getElementById('calls')?.textContent ?? 0),
                  live: +(document.getElementById('live')?.textContent ?? 0),
                  up: +(document.getElementById('up')?.textContent ?? 0),
                  types: document.querySelectorAll('#types tr').length,
                  snapshots: document.querySelectorAll('#snapshots tr').length,
                  congestion: document.getElementById('congestion')?.textContent ?? ''
                })
                """;
            // The page waits for itself (a promise polling its own numbers); the spec awaits that one DevTools reply.
            var connected = await browser.EvaluateAsync(WhenShown("document.getElementById('status')?.textContent.startsWith('connected')", 60_000));
            Assert.Equal(true, (bool?)connected?["ok"]);
            var live = await browser.EvaluateAsync(WhenShown(
                "p.events > 0 && p.calls > 0 && p.live > 0 && p.up > 0 && p.types >= 3 && p.snapshots > 0 && p.congestion === 'none'", 3_000, read));
            Assert.True((bool?)live?["ok"], $"not shown within 3 s: {live?["page"]}");
            var shown = live!["page"];
            Assert.NotNull(shown);
            if (Environment.GetEnvironmentVariable("STASIS_UPDATE_README") == "1")
                await File.WriteAllBytesAsync(Path.Combine(RepositoryRoot(), "docs", "dashboard.png"), await browser.ScreenshotAsync());
            (await run.WaitAsync(Patience)).AssertSucceeded();
        }
        finally
        {
            File.Delete(config);
        }
    }

    /// <summary>
    /// A JavaScript promise that resolves once <paramref name="condition"/> holds (checked every 50 ms in the page, with
    /// <c>p</c> the parsed <paramref name="read"/> when given), or after <paramref name="limitMs"/>: {ok, page}.
    /// </summary>
    private static string WhenShown(string condition, int limitMs, string? read = null) => $$"""
        new Promise(resolve => {
          const start = Date.now();
          const check = () => {
            const p = {{(read is null ? "null" : "JSON.parse(" + read + ")")}};
            if ({{condition}}) resolve({ ok: true, page: p });
            else if (Date.now() - start > {{limitMs}}) resolve({ ok: false, page: p });
            else setTimeout(check, 50);
          };
          check();
        })
        """;

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "StasisActors.sln")))
                return dir.FullName;
        throw new InvalidOperationException("No StasisActors.sln above " + AppContext.BaseDirectory);
    }

    private static async Task<string> TokenConfigAsync()
    {
        var config = Path.GetTempFileName();
        await File.WriteAllTextAsync(config, "stasis-host.gateway { token = spec, ami-secret = spec-secret }");
        return config;
    }

    private static async Task<ClientWebSocket> ConnectAsync(Uri uri)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(Patience);
        return socket;
    }

    /// <summary>(type, channel id) of each frame until the server closes; the JSON is the gateway's own compact form.</summary>
    private static async Task<List<(string Type, string? Channel)>> ReceiveUntilEndAsync(ClientWebSocket socket)
    {
        var frames = new List<(string, string?)>();
        var buffer = new byte[64 * 1024];
        var length = 0;
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
            if (received.MessageType == WebSocketMessageType.Close)
                return frames;
            length += received.Count;
            if (!received.EndOfMessage)
                continue;
            var json = Encoding.UTF8.GetString(buffer, 0, length);
            length = 0;
            frames.Add((Field(json, "\"type\":\"")!, Field(json, "\"id\":\"")));
        }
    }

    private static string? Field(string json, string prefix)
    {
        var start = json.IndexOf(prefix, StringComparison.Ordinal);
        if (start < 0)
            return null;
        start += prefix.Length;
        return json[start..json.IndexOf('"', start)];
    }

    /// <summary>Each channel's event types, in order, from its ChannelCreated on.</summary>
    private static Dictionary<string, List<string>> PerChannel(List<(string Type, string? Channel)> frames)
    {
        var channels = new Dictionary<string, List<string>>();
        foreach (var (type, id) in frames)
        {
            if (id is null)
                continue;
            if (type == "ChannelCreated")
                channels[id] = [];
            if (channels.TryGetValue(id, out var events))
                events.Add(type);
        }
        return channels;
    }

    private static async Task<string> ReadAmiEventsAsync(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port).WaitAsync(Patience);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("Action: Login\r\nUsername: admin\r\nSecret: spec-secret\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = new StringBuilder();
        while (await reader.ReadLineAsync() is { } line)
        {
            text.AppendLine(line);
            if (line == "Event: Hangup")
                break;
        }
        return text.ToString();
    }
}
