using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Stasis.Actors.Gateway.Events;

/// <summary>
/// <c>GET /events?topic=A&amp;topic=B</c>: checks the token and the topics before the upgrade (401, 404), then streams
/// the topics' messages as JSON text frames (their type's <c>ToJson</c> formatter, through the sanitizer) until either
/// side ends.
/// </summary>
internal static class EventsEndpoint
{
    public static async Task HandleAsync(HttpContext context, StasisGateway gateway)
    {
        var request = context.Request;
        if (!gateway.Authorized(request))
        {
            gateway.AuthFailed("WebSocket /events", context.Connection.RemoteIpAddress?.ToString());
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await Problem(context, StatusCodes.Status401Unauthorized, "a valid token is required (Authorization: Bearer TOKEN, or ?token=TOKEN)");
            return;
        }
        var names = request.Query["topic"].Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n!).Distinct().ToList();
        if (names.Count == 0)
        {
            await Problem(context, StatusCodes.Status400BadRequest, "name at least one topic: /events?topic=channel:all");
            return;
        }
        var topics = new List<Topic>();
        foreach (var name in names)
        {
            if (gateway.Bus.GetTopic(name) is not { } topic)
            {
                await Problem(context, StatusCodes.Status404NotFound, $"unknown topic {name}");
                return;
            }
            topics.Add(topic);
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await Problem(context, StatusCodes.Status400BadRequest, "a WebSocket upgrade is expected");
            return;
        }
        if (!gateway.TryOpenWebSocket())
        {
            await Problem(context, StatusCodes.Status503ServiceUnavailable, $"too many connections (stasis gateway limit {gateway.Options.MaxConnections})");
            return;
        }
        // Subscribed before the upgrade completes: whatever is published once the client has its 101 reaches it.
        var connection = new EventsConnection(gateway, topics, context.Connection.RemoteIpAddress?.ToString() ?? "?");
        try
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await connection.RunAsync(socket, context.RequestAborted);
        }
        finally
        {
            await connection.EndAsync();
            gateway.CloseWebSocket();
        }
    }

    private static Task Problem(HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(detail + "\n");
    }
}

/// <summary>
/// One WebSocket client: a private topic forwarded from the requested ones, one subscription on it (only types with a
/// JSON formatter reach it), and a bounded buffer between that subscription and the socket. The subscription's
/// handler never waits: a full buffer disconnects this client (close 1008 with the reason), never the bus.
/// </summary>
internal sealed class EventsConnection
{
    private const int MaxClientMessage = 4096;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);
    private readonly StasisGateway gateway;
    private readonly string remote;
    private readonly Channel<byte[]> _frames;
    private readonly CancellationTokenSource _overflow = new();
    private readonly ClientFeed _feed;
    private WebSocket socket = null!;
    private string _closeReason = "subscription ended";

    /// <summary>Makes the client's private topic, its forwards and its subscription.</summary>
    public EventsConnection(StasisGateway gateway, IReadOnlyList<Topic> topics, string remote)
    {
        this.gateway = gateway;
        this.remote = remote;
        _frames = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(gateway.Options.SendBufferMessages)
        {
            SingleReader = true,
            SingleWriter = true, // the subscription's handler: one call at a time
        });
        // Inline (on each publisher's thread, serialized by the subscription's lock), as caching topics are: the handler
        // only looks up the message's shared frame and queues it without waiting, so the socket's sender is the one
        // thread hop between a publish and the client, as in a plain fan-out loop.
        _feed = ClientFeed.Open(gateway, "events", $"WebSocket client {remote}: {string.Join(", ", topics.Select(t => t.Name))}",
            topics, Handle, MessageFormatters.Json, inline: true);
    }

    /// <summary>Ends the subscription (its final frame is queued) and removes the private topic; safe to call twice.</summary>
    public Task EndAsync() => _feed.EndAsync();

    public async Task RunAsync(WebSocket webSocket, CancellationToken aborted)
    {
        socket = webSocket;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted, _overflow.Token);
        var receiving = ReceiveAsync(aborted); // not cancelled by an overflow: that would abort the socket before the close frame
        var sending = SendAsync(stop.Token);
        var stopping = new TaskCompletionSource();
        await using var onStopping = gateway.Stopping.Register(() => stopping.TrySetResult());
        try
        {
            if (await Task.WhenAny(receiving, sending, stopping.Task) == stopping.Task)
                _closeReason = "server stopping";
        }
        finally
        {
            // Ending the subscription queues its final frame and completes the buffer; the sender then sends what is
            // queued, within a few seconds (a client that does not read is cut off).
            await EndAsync();
            if (!await Within(sending, DrainTimeout))
                await stop.CancelAsync();
            await sending;
            await CloseAsync();
            if (!await Within(receiving, TimeSpan.FromSeconds(1)))
                socket.Abort();
            await receiving;
        }
    }

    private static async Task<bool> Within(Task task, TimeSpan timeout) => await Task.WhenAny(task, Task.Delay(timeout)) == task;

    /// <summary>Runs as the subscription's handler: formats and queues, never waits.</summary>
    private void Handle(Subscription subscription, Topic topic, StasisMessage message)
    {
        if (subscription.IsFinalMessage(message))
        {
            _frames.Writer.TryWrite(Frame(new JsonObject { ["type"] = "StasisEnd", ["reason"] = _closeReason }));
            _frames.Writer.TryComplete();
            return;
        }
        if (_overflow.IsCancellationRequested || gateway.JsonFrame(message, topic) is not { Length: > 0 } frame)
            return; // after an overflow, what is still queued for this subscription is dropped with the client
        if (_frames.Writer.TryWrite(frame))
            return;
        _closeReason = $"send buffer full ({gateway.Options.SendBufferMessages} messages): client too slow";
        gateway.Overflowed($"WebSocket client {remote}", gateway.Options.SendBufferMessages);
        _frames.Writer.TryComplete();
        _overflow.Cancel(); // a send stuck on a stalled client is abandoned; the socket is then aborted
        subscription.Unsubscribe();
    }

    private static byte[] Frame(JsonNode json) => JsonSerializer.SerializeToUtf8Bytes(json);

    private async Task SendAsync(CancellationToken stop)
    {
        try
        {
            await foreach (var frame in _frames.Reader.ReadAllAsync(stop))
            {
                await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, stop);
                gateway.FrameSent();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
    }

    /// <summary>Reads what the client sends, to see it close; anything it sends is ignored (larger than 4 KiB: closed).</summary>
    private async Task ReceiveAsync(CancellationToken stop)
    {
        var buffer = new byte[MaxClientMessage];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var received = await socket.ReceiveAsync(buffer, stop);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    _closeReason = "client closed";
                    return;
                }
                if (!received.EndOfMessage)
                {
                    _closeReason = "client message too large";
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
    }

    /// <summary>Sends the close frame with its reason, within a second; a client that does not take it is aborted.</summary>
    private async Task CloseAsync()
    {
        var status = _overflow.IsCancellationRequested ? WebSocketCloseStatus.PolicyViolation : WebSocketCloseStatus.NormalClosure;
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await socket.CloseOutputAsync(status, _closeReason, timeout.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            gateway.Log.LogDebug("Stasis gateway: WebSocket client {Remote} aborted ({Reason})", remote, _closeReason);
            socket.Abort();
        }
    }
}
