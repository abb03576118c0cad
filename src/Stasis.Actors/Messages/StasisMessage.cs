using System.Text.Json.Nodes;
using Stasis.Actors.Internal;

namespace Stasis.Actors;

/// <summary>
/// An immutable message: a <see cref="MessageType">type</see>, a payload, the time it was created and the
/// <see cref="EntityId">EID</see> of the node that created it.
/// </summary>
/// <remarks>
/// A message is shared, never copied: every subscriber receives the same instance, and nothing in the bus changes
/// its payload. Treat payloads as immutable; to change one, copy it into a new message. A message left in a stopped
/// subscription's queue is not logged as a dead letter.
/// </remarks>
public abstract class StasisMessage : Akka.Event.IDeadLetterSuppression
{
    // One message is made per publish and waits in queues: it holds as few bytes as it can. Type and EID are one shared
    // reference, and the timestamp is 8 bytes of UTC ticks where a DateTimeOffset takes 16.
    private readonly MessageOrigin _origin;
    private readonly long _utcTicks;

    private protected StasisMessage(MessageOrigin origin, long utcTicks)
    {
        _origin = origin;
        _utcTicks = utcTicks;
    }

    /// <summary>The message's type.</summary>
    public MessageType Type => _origin.Type;

    /// <summary>
    /// When the message was created (UTC), by the bus's <c>stasis.message-clock</c>: never earlier than the call that
    /// created it; "precise" is the wall clock, "coarse" steps by the OS tick and is at most 2 ticks + 1 ms later (9 ms
    /// with Linux's 4 ms tick).
    /// </summary>
    public DateTimeOffset Timestamp => new(_utcTicks, TimeSpan.Zero);

    /// <summary>The EID of the node that created the message.</summary>
    public EntityId Eid => _origin.Eid;

    /// <summary>The payload, untyped. <see cref="StasisMessage{T}.Payload"/> gives it typed.</summary>
    public abstract object Data { get; }

    /// <summary>True when the message was created on this node (its EID is the local bus's EID).</summary>
    public bool IsLocal => _origin.IsLocal;

    /// <summary>True when the type has an AMI formatter (Asterisk's <c>stasis_message_can_be_ami</c>).</summary>
    public bool CanBeAmi => (Type.AvailableFormatters & MessageFormatters.Ami) != 0;

    /// <summary>
    /// The message as JSON, by its type's JSON formatter (Asterisk's <c>stasis_message_to_json</c>); null when the type has
    /// none, or the formatter does not format this message, hides it for <paramref name="sanitizer"/>, or throws.
    /// </summary>
    /// <param name="sanitizer">What the consumer must not see; nothing is hidden when null.</param>
    public JsonNode? ToJson(MessageSanitizer? sanitizer = null) => Type.FormatJson(this, sanitizer);

    /// <summary>The message as an AMI event (Asterisk's <c>stasis_message_to_ami</c>); null when not formattable.</summary>
    public AmiEvent? ToAmi() => Type.FormatAmi(this);

    /// <summary>The message as a generic event (Asterisk's <c>stasis_message_to_event</c>); null when not formattable.</summary>
    public StasisEvent? ToEvent() => Type.FormatEvent(this);

    /// <inheritdoc />
    public override string ToString() => $"{Type.Name}@{Eid}: {Data}";
}

/// <summary>A message whose payload is a <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The payload type.</typeparam>
public sealed class StasisMessage<T> : StasisMessage where T : class
{
    internal StasisMessage(MessageOrigin origin, long utcTicks, T payload)
        : base(origin, utcTicks)
    {
        Payload = payload;
    }

    /// <summary>The payload.</summary>
    public T Payload { get; }

    /// <summary>The message's type, typed.</summary>
    public new MessageType<T> Type => (MessageType<T>)base.Type;

    /// <inheritdoc />
    public override object Data => Payload;
}
