using System.Text.Json.Nodes;
using Akka.Event;
using Stasis.Actors.Internal;

namespace Stasis.Actors;

/// <summary>
/// A named message type, bound to the CLR type of its payload. Types are made with
/// <see cref="StasisBus.CreateMessageType{T}(string)"/>; the name shows up in logs and metrics
/// (<c>stasis.message.&lt;name&gt;</c>). A type may have formatters (<see cref="AvailableFormatters"/>), declared when it
/// is made, which turn its messages into JSON, AMI events or generic events for external consumers.
/// </summary>
/// <remarks>
/// A type whose name is listed in <c>stasis.declined-message-types</c> is <see cref="IsDeclined">declined</see>:
/// it can still be held and compared, but no message of it is ever created or delivered, and publishing one is a
/// counted no-op.
/// </remarks>
public abstract class MessageType
{
    private PaddedCounters _counts; // First: published, Second: unused; written by every publisher of the type
    private MessageOrigin? _lastRemote;
    private long _formatterFailures;

    private protected MessageType(string name, Type payloadType, bool isDeclined, int index, StasisBus bus, MessageFormatters available)
    {
        AvailableFormatters = available;
        Name = name;
        PayloadType = payloadType;
        IsDeclined = isDeclined;
        Index = index;
        Bus = bus;
        LocalOrigin = new MessageOrigin(this, bus.Eid, isLocal: true);
    }

    /// <summary>The type's name, unique within a bus.</summary>
    public string Name { get; }

    /// <summary>The CLR type of the payloads of this type's messages.</summary>
    public Type PayloadType { get; }

    /// <summary>True when configuration declined this type: its messages are never created nor delivered.</summary>
    public bool IsDeclined { get; }

    /// <summary>Messages of this type published to a topic (forwarding does not count again; declined ones are not published).</summary>
    public long PublishedCount => _counts.First;

    /// <summary>Messages of this type published to a topic that reached no subscription.</summary>
    public long UnusedCount => _counts.Second;

    /// <summary>The formatters this type has (Asterisk's <c>stasis_message_type_available_formatters</c>).</summary>
    public MessageFormatters AvailableFormatters { get; }

    /// <summary>Formatter calls of this type that threw (each was treated as "not formattable"; the first one is logged).</summary>
    public long FormatterFailures => Volatile.Read(ref _formatterFailures);

    /// <summary>A small dense number, unique within the bus, used for fast filtering.</summary>
    internal int Index { get; }

    internal StasisBus Bus { get; }

    /// <summary>The origin shared by every message of this type made on this node.</summary>
    internal MessageOrigin LocalOrigin { get; }

    /// <summary>The origin of a message of this type made by the node <paramref name="eid"/>.</summary>
    private protected MessageOrigin OriginFor(EntityId? eid)
    {
        if (eid is not { } other || other == LocalOrigin.Eid)
            return LocalOrigin;
        // Messages from another node mostly come in runs from one node: the last origin is kept (a benign race).
        if (Volatile.Read(ref _lastRemote) is { } last && last.Eid == other)
            return last;
        var origin = new MessageOrigin(this, other, isLocal: false);
        Volatile.Write(ref _lastRemote, origin);
        return origin;
    }

    /// <summary>
    /// Rebuilds a message that another node created (its own timestamp and EID), e.g. one received by
    /// Stasis.Actors.Cluster. No declined check: the caller checks <see cref="IsDeclined"/>.
    /// </summary>
    /// <exception cref="InvalidCastException"><paramref name="payload"/> is not of <see cref="PayloadType"/>.</exception>
    internal abstract StasisMessage Restore(object payload, DateTimeOffset timestamp, EntityId eid);

    internal abstract JsonNode? FormatJson(StasisMessage message, MessageSanitizer? sanitizer);

    internal abstract AmiEvent? FormatAmi(StasisMessage message);

    internal abstract StasisEvent? FormatEvent(StasisMessage message);

    /// <summary>
    /// Runs one formatter: a formatter that throws means "not formattable" for that message; it is counted, and logged
    /// the first time for this type (a broken formatter would otherwise log once per message per consumer).
    /// </summary>
    private protected TResult? Format<TMessage, TResult>(Func<TMessage, TResult?>? formatter, TMessage message, MessageFormatters kind)
        where TResult : class
    {
        if (formatter is null)
            return null;
        try
        {
            return formatter(message);
        }
        catch (Exception ex)
        {
            if (Interlocked.Increment(ref _formatterFailures) == 1)
                Bus.Diagnostics.Log.Error(ex, "The {0} formatter of message type {1} threw; its messages are treated as not formattable (only the first failure is logged; see MessageType.FormatterFailures)", kind, Name);
            return null;
        }
    }

    /// <summary>Counts one publish of this type; <paramref name="used"/> is false when it reached no subscription.</summary>
    internal void CountPublished(bool used)
    {
        _counts.IncrementFirst();
        if (!used)
            _counts.IncrementSecond();
    }

    /// <inheritdoc />
    public override string ToString() => IsDeclined ? $"{Name} (declined)" : Name;
}

/// <summary>A named message type whose payloads are of type <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The payload type: an immutable class, typically a <c>record</c>.</typeparam>
public sealed class MessageType<T> : MessageType where T : class
{
    internal MessageType(string name, bool isDeclined, int index, StasisBus bus, MessageTypeFormatters<T>? formatters)
        : base(name, typeof(T), isDeclined, index, bus, formatters?.Available ?? MessageFormatters.None)
    {
        Formatters = formatters;
    }

    /// <summary>The formatters declared when the type was made, or null.</summary>
    public MessageTypeFormatters<T>? Formatters { get; }

    /// <summary>
    /// Creates a message of this type, stamped with the current time and the local node's EID
    /// (or <paramref name="eid"/>, for a message that came from another node).
    /// </summary>
    /// <param name="payload">The payload; not null. It is shared, never copied: treat it as immutable.</param>
    /// <param name="eid">The EID of the node that made the message; the local node's when null.</param>
    /// <returns>The message, or <c>null</c> when this type <see cref="MessageType.IsDeclined">is declined</see>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="payload"/> is null.</exception>
    public StasisMessage<T>? CreateMessage(T payload, EntityId? eid = null)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (IsDeclined)
        {
            Bus.Diagnostics.Declined(this);
            return null;
        }
        return new StasisMessage<T>(eid is null ? LocalOrigin : OriginFor(eid), Bus.Clock.UtcTicks(), payload);
    }

    internal override JsonNode? FormatJson(StasisMessage message, MessageSanitizer? sanitizer) =>
        Formatters?.ToJson is { } toJson ? Format<StasisMessage<T>, JsonNode>(m => toJson(m, sanitizer), (StasisMessage<T>)message, MessageFormatters.Json) : null;

    internal override AmiEvent? FormatAmi(StasisMessage message) =>
        Format(Formatters?.ToAmi, (StasisMessage<T>)message, MessageFormatters.Ami);

    internal override StasisEvent? FormatEvent(StasisMessage message) =>
        Format(Formatters?.ToEvent, (StasisMessage<T>)message, MessageFormatters.Event);

    internal override StasisMessage Restore(object payload, DateTimeOffset timestamp, EntityId eid) =>
        new StasisMessage<T>(OriginFor(eid), timestamp.UtcTicks, (T)payload);
}
