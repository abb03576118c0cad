using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Stasis.Actors.Cluster.Serialization;

/// <summary>
/// Writes and reads payloads in the format chosen by <c>stasis.cluster.payload-codec</c>: System.Text.Json documents
/// (the default, with converters for the bus's own types) or MessagePack (<see cref="MessagePackPayloadFormat"/>).
/// </summary>
/// <remarks>Every node of a cluster must use the same codec: a payload written in the other format fails to read and
/// the receiving node rejects (logs and counts) the message. Thread-safe.</remarks>
internal sealed class PayloadCodec
{
    private readonly MessagePackPayloadFormat? _messagePack;
    private readonly ConcurrentTypeSet _writable = new();

    public PayloadCodec(StasisBus bus, ClusterPayloadCodec codec = ClusterPayloadCodec.Json)
    {
        Codec = codec;
        Options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            IncludeFields = false,
            Converters = { new EntityIdConverter(), new MessageTypeConverter(bus) },
        };
        if (codec == ClusterPayloadCodec.MessagePack)
            _messagePack = new MessagePackPayloadFormat(bus);
    }

    /// <summary>The codec payloads are written with.</summary>
    public ClusterPayloadCodec Codec { get; }

    /// <summary>The System.Text.Json options (used by the <see cref="ClusterPayloadCodec.Json"/> codec only).</summary>
    public JsonSerializerOptions Options { get; }

    /// <exception cref="PayloadSerializationException">The payload cannot be written.</exception>
    public byte[] Write(StasisMessage message)
    {
        try
        {
            var bytes = _messagePack is { } messagePack
                ? messagePack.Write(message.Data, message.Type.PayloadType)
                : JsonSerializer.SerializeToUtf8Bytes(message.Data, message.Type.PayloadType, Options);
            return bytes;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException) // a payload's own getter may throw anything: name the type either way
        {
            throw new PayloadSerializationException(message.Type.PayloadType, message.Type.Name, ex);
        }
    }

    /// <summary>
    /// Checks, when nothing is sent, that <paramref name="message"/>'s payload type can be written: the first payload
    /// of each type is written (and thrown away), so an unsupported type fails on its first publish whether or not
    /// another node is listening.
    /// </summary>
    /// <exception cref="PayloadSerializationException">The payload cannot be written.</exception>
    public void EnsureWritable(StasisMessage message)
    {
        if (_writable.Contains(message.Type.PayloadType))
            return;
        Write(message);
        _writable.Add(message.Type.PayloadType);
    }

    /// <summary>Reads a payload written by <see cref="Write"/> (on this node or another with the same codec).</summary>
    public object Read(byte[] payload, Type type)
    {
        try
        {
            return (_messagePack is { } messagePack ? messagePack.Read(payload, type) : JsonSerializer.Deserialize(payload, type, Options))
                   ?? throw new JsonException($"The payload of type {type.FullName} was null.");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{ex.Message} (this node reads stasis.cluster.payload-codec = {CodecName(Codec)}: every node must use the same codec)", ex);
        }
    }

    /// <summary>The configuration name of <paramref name="codec"/>.</summary>
    public static string CodecName(ClusterPayloadCodec codec) => codec == ClusterPayloadCodec.MessagePack ? "messagepack" : "json";

    /// <summary>An EID is written as its text.</summary>
    private sealed class EntityIdConverter : JsonConverter<EntityId>
    {
        public override EntityId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            new(reader.GetString() ?? "");

        public override void Write(Utf8JsonWriter writer, EntityId value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.Value);
    }

    /// <summary>A message type is written as its name and read back as the receiving bus's type of that name.</summary>
    private sealed class MessageTypeConverter(StasisBus bus) : JsonConverter<MessageType>
    {
        public override bool CanConvert(Type typeToConvert) => typeof(MessageType).IsAssignableFrom(typeToConvert);

        public override MessageType Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var name = reader.GetString() ?? "";
            return bus.GetMessageType(name) ?? throw new JsonException($"Unknown message type '{name}': create it on this node too.");
        }

        public override void Write(Utf8JsonWriter writer, MessageType value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.Name);
    }

    /// <summary>The payload types checked by <see cref="EnsureWritable"/>: a lock-free read of an immutable set, replaced on add.</summary>
    private sealed class ConcurrentTypeSet
    {
        private ImmutableHashSet<Type> _types = [];

        public bool Contains(Type type) => Volatile.Read(ref _types).Contains(type);

        public void Add(Type type)
        {
            if (!Contains(type))
                ImmutableInterlocked.Update(ref _types, set => set.Add(type));
        }
    }
}
