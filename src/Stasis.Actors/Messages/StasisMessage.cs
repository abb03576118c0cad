namespace Stasis.Actors.Messages;

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
    private readonly long _utcTicks; // 8 bytes where a DateTimeOffset field takes 16: one message per publish

    private protected StasisMessage(MessageType type, DateTimeOffset timestamp, EntityId eid)
    {
        Type = type;
        _utcTicks = timestamp.UtcTicks;
        Eid = eid;
    }

    /// <summary>The message's type.</summary>
    public MessageType Type { get; }

    /// <summary>When the message was created (UTC), by the bus's <c>stasis.message-clock</c> (coarse: 1–4 ms steps).</summary>
    public DateTimeOffset Timestamp => new(_utcTicks, TimeSpan.Zero);

    /// <summary>The EID of the node that created the message.</summary>
    public EntityId Eid { get; }

    /// <summary>The payload, untyped. <see cref="StasisMessage{T}.Payload"/> gives it typed.</summary>
    public abstract object Data { get; }

    /// <summary>True when the message was created on this node (its EID is the local bus's EID).</summary>
    public bool IsLocal => Eid == Type.Bus.Eid;

    /// <inheritdoc />
    public override string ToString() => $"{Type.Name}@{Eid}: {Data}";
}

/// <summary>A message whose payload is a <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The payload type.</typeparam>
public sealed class StasisMessage<T> : StasisMessage where T : class
{
    internal StasisMessage(MessageType<T> type, T payload, DateTimeOffset timestamp, EntityId eid)
        : base(type, timestamp, eid)
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
