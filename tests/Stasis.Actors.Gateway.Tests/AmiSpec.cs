using System.Net.Sockets;
using System.Text;

namespace Stasis.Actors.Gateway.Tests;

/// <summary>The AMI-compatible port with a raw <see cref="TcpClient"/> speaking the protocol, as a client library does.</summary>
public sealed class AmiSpec : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync(o => o.MaxAmiErrors = 3);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Login_events_ping_and_logoff_follow_the_manager_protocol()
    {
        await using var ami = await AmiClient.ConnectAsync(_host.Gateway.AmiPort);
        Assert.Equal("Asterisk Call Manager/5.0.0", await ami.ReadLineAsync());

        await ami.SendAsync("Action: Login", "ActionID: 1", "Username: spec", "Secret: wrong");
        Assert.Equal(["Response: Error", "ActionID: 1", "Message: Authentication failed"], await ami.ReadBlockAsync());
        Assert.Equal(1, _host.Gateway.AuthFailures);

        await ami.SendAsync("Action: Ping", "ActionID: 2");
        Assert.Equal(["Response: Error", "ActionID: 2", "Message: Permission denied"], await ami.ReadBlockAsync());

        await ami.SendAsync("Action: Login", "ActionID: 3", $"Username: {GatewayHost.AmiUser}", $"Secret: {GatewayHost.AmiSecret}");
        Assert.Equal(["Response: Success", "ActionID: 3", "Message: Authentication accepted"], await ami.ReadBlockAsync());
        Assert.Equal(["Event: FullyBooted", "Privilege: system,all", "Status: Fully Booted"], await ami.ReadBlockAsync());

        for (var i = 0; i < 3; i++)
        {
            _host.All.Publish(_host.BeatType, new Beat(i));
            _host.All.Publish(_host.SilentType, new Beat(-1)); // no AMI formatter: never written
        }
        for (var i = 0; i < 3; i++)
            Assert.Equal(["Event: Beat", $"Seq: {i}"], await ami.ReadBlockAsync());

        await ami.SendAsync("Action: Ping", "ActionID: 4");
        var pong = await ami.ReadBlockAsync();
        Assert.Equal(["Response: Success", "ActionID: 4", "Ping: Pong"], pong[..3]);
        Assert.StartsWith("Timestamp: ", pong[3]);

        await ami.SendAsync("Action: Events", "ActionID: 5", "EventMask: off");
        Assert.Equal(["Response: Success", "ActionID: 5", "Events: Off"], await ami.ReadBlockAsync());

        await ami.SendAsync("Action: Logoff", "ActionID: 6");
        Assert.Equal(["Response: Goodbye", "ActionID: 6", "Message: Thanks for all the fish."], await ami.ReadBlockAsync());
        Assert.Null(await ami.ReadLineAsync());
    }

    [Fact]
    public async Task Unknown_actions_and_garbage_are_answered_counted_and_end_the_connection_at_the_limit()
    {
        await using var ami = await AmiClient.ConnectAsync(_host.Gateway.AmiPort);
        await ami.ReadLineAsync();
        await ami.SendAsync("Action: Login", $"Username: {GatewayHost.AmiUser}", $"Secret: {GatewayHost.AmiSecret}");
        await ami.ReadBlockAsync();
        await ami.ReadBlockAsync();

        await ami.SendAsync("Action: Originate", "ActionID: 7");
        Assert.Equal(["Response: Error", "ActionID: 7", "Message: Invalid/unknown command"], await ami.ReadBlockAsync());
        await ami.SendRawAsync("this is not a header\r\n");
        Assert.Equal(["Response: Error", "Message: Malformed line"], await ami.ReadBlockAsync());
        await ami.SendRawAsync(new string('x', 5000) + ": y\r\n");
        Assert.Equal(["Response: Error", "Message: Line too long"], await ami.ReadBlockAsync());
        Assert.Equal(["Response: Goodbye", "Message: Too many errors (3)"], await ami.ReadBlockAsync());
        Assert.Null(await ami.ReadLineAsync());
        Assert.Equal(3, _host.Gateway.MalformedAmiActions);

        // The server is unharmed: a new client logs in.
        await using var next = await AmiClient.ConnectAsync(_host.Gateway.AmiPort);
        await next.ReadLineAsync();
        await next.SendAsync("Action: Login", $"Username: {GatewayHost.AmiUser}", $"Secret: {GatewayHost.AmiSecret}");
        Assert.Equal("Response: Success", (await next.ReadBlockAsync())[0]);
    }

    /// <summary>A raw AMI client: actions as header lines and a blank line; responses and events as blocks.</summary>
    private sealed class AmiClient : IAsyncDisposable
    {
        private readonly TcpClient _tcp;
        private readonly StreamReader _reader;
        private readonly Stream _stream;

        private AmiClient(TcpClient tcp)
        {
            _tcp = tcp;
            _stream = tcp.GetStream();
            _reader = new StreamReader(_stream, Encoding.UTF8);
        }

        public static async Task<AmiClient> ConnectAsync(int port)
        {
            var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", port).WaitAsync(Patience);
            return new AmiClient(tcp);
        }

        public Task SendAsync(params string[] headers) => SendRawAsync(string.Join("\r\n", headers) + "\r\n\r\n");

        public async Task SendRawAsync(string text) => await _stream.WriteAsync(Encoding.UTF8.GetBytes(text));

        public async Task<string?> ReadLineAsync() => await _reader.ReadLineAsync().WaitAsync(Patience);

        /// <summary>The lines of the next block (up to its blank line).</summary>
        public async Task<string[]> ReadBlockAsync()
        {
            var lines = new List<string>();
            while (await ReadLineAsync() is { } line)
            {
                if (line.Length == 0)
                {
                    if (lines.Count > 0)
                        return [.. lines];
                    continue;
                }
                lines.Add(line);
            }
            return [.. lines];
        }

        public ValueTask DisposeAsync()
        {
            _tcp.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
