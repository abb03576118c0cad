using System.Text.Json;
using System.Text.Json.Serialization;

namespace Stasis.Actors.Cluster.Serialization;

/// <summary>Writes and reads payloads as System.Text.Json documents, with converters for the bus's own types.</summary>
internal sealed class PayloadCodec
{
    public PayloadCodec(StasisBus bus)
    {
        Options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            IncludeFields = false,
            Converters = { new EntityIdConverter(), new MessageTypeConverter(bus) },
        };
    }

    public JsonSerializerOptions Options { get; }

    /// <exception cref="PayloadSerializationException">The payload cannot be written.</exception>
    public byte[] Write(StasisMessage message)
    {
        try
        {
            return JsonSerializer.SerializeToUtf8Bytes(message.Data, message.Type.PayloadType, Options);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException) // a payload's own getter may throw anything: name the type either way
        {
            throw new PayloadSerializationException(message.Type.PayloadType, message.Type.Name, ex);
        }
    }

    public object Read(byte[] payload, Type type) =>
        JsonSerializer.Deserialize(payload, type, Options) ?? throw new JsonException($"The payload of type {type.FullName} was null.");

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
}
