using System.Text.Json.Nodes;

namespace Stasis.Actors;

/// <summary>
/// The formatters of a message type, declared when the type is made
/// (<see cref="StasisBus.CreateMessageType{T}(string, MessageTypeFormatters{T})"/>), as Asterisk's
/// <c>stasis_message_vtable</c>: each turns a message into what one kind of external consumer reads. Each may be left
/// null (the type then has no such formatter) and may return null for a message it does not format.
/// </summary>
/// <typeparam name="T">The payload type of the message type.</typeparam>
/// <remarks>
/// A formatter runs on the consumer's thread, possibly on many threads at once: it must only read the message. One that
/// throws is treated as returning null; the bus counts it (<see cref="MessageType.FormatterFailures"/>) and logs the
/// first failure of each type.
/// </remarks>
public sealed record MessageTypeFormatters<T> where T : class
{
    /// <summary>The message as JSON (ARI's <c>to_json</c>), hiding what the sanitizer (which may be null) hides.</summary>
    public Func<StasisMessage<T>, MessageSanitizer?, JsonNode?>? ToJson { get; init; }

    /// <summary>The message as an AMI event (<c>to_ami</c>).</summary>
    public Func<StasisMessage<T>, AmiEvent?>? ToAmi { get; init; }

    /// <summary>The message as a generic event (<c>to_event</c>).</summary>
    public Func<StasisMessage<T>, StasisEvent?>? ToEvent { get; init; }

    /// <summary>The formatters set, as flags.</summary>
    public MessageFormatters Available =>
        (ToJson is null ? MessageFormatters.None : MessageFormatters.Json)
        | (ToAmi is null ? MessageFormatters.None : MessageFormatters.Ami)
        | (ToEvent is null ? MessageFormatters.None : MessageFormatters.Event);
}
