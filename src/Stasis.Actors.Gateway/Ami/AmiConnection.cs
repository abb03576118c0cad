using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Stasis.Actors.Gateway.Ami;

/// <summary>
/// One AMI client, speaking enough of the Asterisk Manager Interface for an unmodified AMI client library: the banner,
/// <c>Login</c> (Username/Secret, optional <c>Events: off</c>), <c>Events</c> (EventMask on/off), <c>Ping</c>,
/// <c>Logoff</c>; every response echoes the action's <c>ActionID</c>. Once logged in with events on, the messages of
/// <see cref="StasisGatewayOptions.AmiTopics"/> whose type has an AMI formatter are written in AMI wire form.
/// </summary>
/// <remarks>
/// Everything written goes through one bounded queue and one writer: a client that does not read is disconnected when
/// the queue is full, and the bus never waits. Malformed lines, overlong lines and unknown actions are answered with
/// <c>Response: Error</c> and counted; after <see cref="StasisGatewayOptions.MaxAmiErrors"/> the connection is closed.
/// </remarks>
internal sealed class AmiConnection
{
    public const string Banner = "Asterisk Call Manager/5.0.0\r\n";

    private readonly StasisGateway _gateway;
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly Channel<string> _out;
    private readonly CancellationTokenSource _closed = new();
    private readonly string _remote;
    private ClientFeed? _events;
    private volatile bool _eventsOn = true;
    private bool _loggedIn;
    private int _errors;

    public AmiConnection(StasisGateway gateway, TcpClient client)
    {
        _gateway = gateway;
        _client = client;
        _stream = client.GetStream();
        _remote = client.Client.RemoteEndPoint?.ToString() ?? "?";
        _out = Channel.CreateBounded<string>(new BoundedChannelOptions(gateway.Options.SendBufferMessages) { SingleReader = true });
    }

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _closed.Token);
        var writing = WriteAsync(stop.Token);
        Send(Banner);
        try
        {
            await ReadActionsAsync(stop.Token);
        }
        finally
        {
            if (_events is not null)
                await _events.EndAsync();
            _out.Writer.TryComplete();
            if (await Task.WhenAny(writing, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None)) != writing)
                _client.Close(); // a client that does not read its last responses is cut off
            await writing;
        }
    }

    private async Task ReadActionsAsync(CancellationToken stop)
    {
        var reader = new AmiLineReader(_stream, _gateway.Options.MaxAmiLineLength);
        var headers = new List<KeyValuePair<string, string>>();
        while (!stop.IsCancellationRequested)
        {
            var line = await reader.ReadLineAsync(stop);
            if (line is null)
                return; // the client closed
            if (line.Overlong || (line.Text.Length > 0 && line.Text.IndexOf(':') <= 0))
            {
                headers.Clear();
                if (!Error(null, line.Overlong ? "Line too long" : "Malformed line"))
                    return;
                continue;
            }
            if (line.Text.Length > 0)
            {
                var colon = line.Text.IndexOf(':');
                headers.Add(new(line.Text[..colon].Trim(), line.Text[(colon + 1)..].Trim()));
                if (headers.Count > 64 && !Error(null, "Too many headers"))
                    return;
                continue;
            }
            if (headers.Count == 0)
                continue; // blank lines between actions
            var action = new AmiAction(headers);
            headers = [];
            if (!Handle(action))
                return;
        }
    }

    /// <summary>Answers one action; false ends the connection.</summary>
    private bool Handle(AmiAction action)
    {
        switch (action.Name?.ToLowerInvariant())
        {
            case null:
                return Error(action, "Missing action in request");
            case "login":
                return Login(action);
            case "logoff":
                Respond(action, "Goodbye", ("Message", "Thanks for all the fish."));
                return false;
            case not "login" and not "logoff" when !_loggedIn:
                return Error(action, "Permission denied", counted: false); // as Asterisk: only Login and Logoff before a login
            case "ping":
                Respond(action, "Success", ("Ping", "Pong"),
                    ("Timestamp", (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0).ToString("F6", CultureInfo.InvariantCulture)));
                return true;
            case "events":
                _eventsOn = !IsOff(action["EventMask"]);
                Respond(action, "Success", ("Events", _eventsOn ? "On" : "Off"));
                return true;
            default:
                return Error(action, "Invalid/unknown command");
        }
    }

    private bool Login(AmiAction action)
    {
        if (!_gateway.AmiLogin(action["Username"], action["Secret"]))
        {
            _gateway.AuthFailed($"AMI login as '{action["Username"]}'", _remote);
            return Error(action, "Authentication failed");
        }
        _loggedIn = true;
        _eventsOn = !IsOff(action["Events"]);
        Respond(action, "Success", ("Message", "Authentication accepted"));
        Send("Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n");
        if (_events is null)
            SubscribeEvents();
        return true;
    }

    private void SubscribeEvents()
    {
        var topics = _gateway.Options.AmiTopics.Select(_gateway.Bus.GetTopic).OfType<Topic>();
        _events = ClientFeed.Open(_gateway, "ami", $"AMI client {_remote}", topics, (s, t, m) =>
        {
            if (_eventsOn && !s.IsFinalMessage(m) && m.ToAmi() is { } amiEvent && Send(amiEvent.ToWireFormat()))
                _gateway.AmiEventSent();
        }, MessageFormatters.Ami, inline: false);
    }

    /// <summary>Counts a malformed or refused action and answers it; false (closing) once the limit is reached.</summary>
    private bool Error(AmiAction? action, string message, bool counted = true)
    {
        if (counted)
            _gateway.MalformedAmi();
        Respond(action, "Error", ("Message", message));
        if (++_errors < _gateway.Options.MaxAmiErrors)
            return true;
        Send($"Response: Goodbye\r\nMessage: Too many errors ({_errors})\r\n\r\n");
        return false;
    }

    private void Respond(AmiAction? action, string response, params (string Key, string Value)[] headers)
    {
        var text = new StringBuilder("Response: ").Append(response).Append("\r\n");
        if (action?["ActionID"] is { } id)
            text.Append("ActionID: ").Append(id).Append("\r\n");
        foreach (var (key, value) in headers)
            text.Append(key).Append(": ").Append(value).Append("\r\n");
        Send(text.Append("\r\n").ToString());
    }

    /// <summary>Queues text for the writer; a full queue closes the connection (the client is too slow).</summary>
    private bool Send(string text)
    {
        if (_out.Writer.TryWrite(text))
            return true;
        if (!_closed.IsCancellationRequested)
        {
            _gateway.Overflowed($"AMI client {_remote}", _gateway.Options.SendBufferMessages);
            _closed.Cancel();
            _client.Close();
        }
        return false;
    }

    private async Task WriteAsync(CancellationToken stop)
    {
        try
        {
            await foreach (var text in _out.Reader.ReadAllAsync(stop))
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                await _stream.WriteAsync(bytes, stop);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            _closed.Cancel();
        }
    }

    private static bool IsOff(string? value) => value is not null && value.Trim().Equals("off", StringComparison.OrdinalIgnoreCase);
}

/// <summary>An action's headers; names are case-insensitive, the first of a repeated one counts.</summary>
internal sealed class AmiAction(IReadOnlyList<KeyValuePair<string, string>> headers)
{
    public string? Name => this["Action"];

    public string? this[string key] => headers.FirstOrDefault(h => h.Key.Equals(key, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>A line read from an AMI client; <see cref="Overlong"/> when it was cut at the limit (the rest skipped).</summary>
internal sealed record AmiLine(string Text, bool Overlong);

/// <summary>Reads CR LF (or LF) terminated lines of at most a given length from a stream.</summary>
internal sealed class AmiLineReader(Stream stream, int maxLength)
{
    private readonly byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;

    /// <summary>The next line, or null when the stream ended.</summary>
    public async Task<AmiLine?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var overlong = false;
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = await stream.ReadAsync(_buffer, cancellationToken);
                if (_end == 0)
                    return null;
            }
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            var stop = newline < 0 ? _end : newline;
            if (!overlong)
            {
                line.Append(Encoding.UTF8.GetString(_buffer, _start, stop - _start));
                if (line.Length > maxLength)
                {
                    overlong = true;
                    line.Clear();
                }
            }
            _start = newline < 0 ? _end : newline + 1;
            if (newline >= 0)
                return new AmiLine(overlong ? "" : line.ToString().TrimEnd('\r'), overlong);
        }
    }
}
