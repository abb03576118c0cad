using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Stasis.Actors.Gateway;

/// <summary>
/// The gateway's state: the credentials in force (configured or generated), connection slots and counters of what it
/// refused. One per application (a singleton service, added by <see cref="StasisGatewayExtensions.AddStasisGateway"/>).
/// </summary>
public sealed class StasisGateway
{
    private readonly ILogger _log;
    private long _nextConnection;
    private int _webSockets;
    private int _amiConnections;
    private long _authFailures;
    private long _overflows;
    private long _malformedAmi;
    private long _framesSent;
    private long _amiEventsSent;

    /// <summary>Creates the gateway for <paramref name="bus"/>; generates and logs the credentials not configured.</summary>
    /// <param name="bus">The bus to serve.</param>
    /// <param name="options">The settings.</param>
    /// <param name="log">Where refusals and generated credentials are logged.</param>
    /// <param name="lifetime">The application's lifetime: its stopping ends every connection.</param>
    public StasisGateway(StasisBus bus, IOptions<StasisGatewayOptions> options, ILogger<StasisGateway> log, IHostApplicationLifetime lifetime)
    {
        Bus = bus ?? throw new ArgumentNullException(nameof(bus));
        Stopping = lifetime?.ApplicationStopping ?? throw new ArgumentNullException(nameof(lifetime));
        Options = options?.Value ?? throw new ArgumentNullException(nameof(options));
        Options.Validate();
        _log = log;
        Token = Options.Token is { Length: > 0 } token ? token : Generate();
        AmiSecret = Options.AmiSecret is { Length: > 0 } secret ? secret : Generate();
        if (Options.Token is not { Length: > 0 })
            _log.LogWarning("Stasis gateway: no token configured; generated one for this run: {Token}", Token);
        if (Options.AmiPort != 0 && Options.AmiSecret is not { Length: > 0 })
            _log.LogWarning("Stasis gateway: no AMI secret configured; generated one for this run: user {User}, secret {Secret}", Options.AmiUsername, AmiSecret);
    }

    /// <summary>The bus the gateway serves.</summary>
    public StasisBus Bus { get; }

    /// <summary>Cancelled when the application stops: every connection then ends with its final frame or line.</summary>
    internal CancellationToken Stopping { get; }

    /// <summary>The settings.</summary>
    public StasisGatewayOptions Options { get; }

    /// <summary>The HTTP token in force.</summary>
    public string Token { get; }

    /// <summary>The AMI secret in force.</summary>
    public string AmiSecret { get; }

    /// <summary>The AMI port actually listened on (0 while off or not yet started).</summary>
    public int AmiPort { get; internal set; }

    /// <summary>WebSocket connections open now.</summary>
    public int WebSocketConnections => Volatile.Read(ref _webSockets);

    /// <summary>AMI connections open now.</summary>
    public int AmiConnections => Volatile.Read(ref _amiConnections);

    /// <summary>Requests and logins refused for bad credentials.</summary>
    public long AuthFailures => Interlocked.Read(ref _authFailures);

    /// <summary>Clients disconnected because their send buffer was full.</summary>
    public long Overflows => Interlocked.Read(ref _overflows);

    /// <summary>Malformed lines and unknown actions received on AMI connections.</summary>
    public long MalformedAmiActions => Interlocked.Read(ref _malformedAmi);

    /// <summary>JSON event frames sent to WebSocket clients.</summary>
    public long FramesSent => Interlocked.Read(ref _framesSent);

    /// <summary>Events written to AMI clients.</summary>
    public long AmiEventsSent => Interlocked.Read(ref _amiEventsSent);

    /// <summary>True when the request carries the token (bearer header or <c>token</c> query value).</summary>
    internal bool Authorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        var given = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : request.Query["token"].ToString();
        return FixedTimeEquals(given, Token);
    }

    /// <summary>
    /// The JSON text frame of a message (empty when its type formats it to nothing), made once per message however
    /// many clients receive it: every client sees the same sanitized JSON, plus the topic it was published to. The
    /// frames of recent messages are kept in a small table indexed by the message's identity hash; a client far behind
    /// the others may find its slot taken and make the frame again (the same bytes). With one WebSocket client there is
    /// nobody to share with, and the table is skipped (docs/benchmarks.md, "The gateway on the wire", has its cost).
    /// </summary>
    internal byte[] JsonFrame(StasisMessage message, Topic topic)
    {
        if (WebSocketConnections <= 1)
            return MakeFrame(message, topic); // no other client to share it with
        var slot = RuntimeHelpers.GetHashCode(message) & (RecentFrames - 1);
        if (Volatile.Read(ref _recent[slot]) is { } cached && ReferenceEquals(cached.Message, message))
            return cached.Bytes;
        var frame = new CachedFrame(message, MakeFrame(message, topic));
        Volatile.Write(ref _recent[slot], frame);
        return frame.Bytes;
    }

    private byte[] MakeFrame(StasisMessage message, Topic topic)
    {
        if (message.ToJson(Options.Sanitizer) is not { } json)
            return [];
        if (json is JsonObject body)
        {
            body["topic"] ??= topic.Name;
            body["timestamp"] ??= FormatTimestamp(message.Timestamp);
        }
        return JsonSerializer.SerializeToUtf8Bytes(json);
    }

    /// <summary>The events' timestamp form: round-trip ("O") in UTC, e.g. <c>2026-12-03T07:08:14.1656307Z</c> (the fast path of .NET's formatting).</summary>
    internal static string FormatTimestamp(DateTimeOffset timestamp) =>
        timestamp.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    private const int RecentFrames = 1024;
    private readonly CachedFrame?[] _recent = new CachedFrame?[RecentFrames];

    private sealed record CachedFrame(StasisMessage Message, byte[] Bytes);

    internal bool AmiLogin(string? user, string? secret) =>
        string.Equals(user, Options.AmiUsername, StringComparison.Ordinal) & FixedTimeEquals(secret ?? "", AmiSecret);

    internal long NextConnectionId() => Interlocked.Increment(ref _nextConnection);

    internal bool TryOpenWebSocket() => TryOpen(ref _webSockets);

    internal void CloseWebSocket() => Interlocked.Decrement(ref _webSockets);

    internal bool TryOpenAmi() => TryOpen(ref _amiConnections);

    internal void CloseAmi() => Interlocked.Decrement(ref _amiConnections);

    internal void AuthFailed(string what, string? remote)
    {
        Interlocked.Increment(ref _authFailures);
        _log.LogWarning("Stasis gateway: {What} from {Remote} refused: bad credentials", what, remote);
    }

    internal void Overflowed(string what, int buffered)
    {
        Interlocked.Increment(ref _overflows);
        _log.LogWarning("Stasis gateway: {What} disconnected: its send buffer of {Buffered} messages is full (client too slow)", what, buffered);
    }

    internal void MalformedAmi() => Interlocked.Increment(ref _malformedAmi);

    internal void FrameSent() => Interlocked.Increment(ref _framesSent);

    internal void AmiEventSent() => Interlocked.Increment(ref _amiEventsSent);

    internal ILogger Log => _log;

    private bool TryOpen(ref int count)
    {
        if (Interlocked.Increment(ref count) <= Options.MaxConnections)
            return true;
        Interlocked.Decrement(ref count);
        return false;
    }

    private static bool FixedTimeEquals(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static string Generate() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
}
