using System.Reflection;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace Stasis.Actors.Cluster.Serialization;

/// <summary>
/// The <c>messagepack</c> payload codec: plain records written by MessagePack's contractless resolver (public
/// properties and fields as a map keyed by member name; positional records read back through their constructor),
/// with the bus's own types written as the JSON codec writes them.
/// </summary>
/// <remarks>
/// <para>No type information travels (no typeless resolver): a payload is read as the receiving node's payload type of
/// the message type's name. <see cref="EntityId"/> is written as its text, a <see cref="MessageType"/> as its name
/// (read back as the receiving bus's type of that name).</para>
/// <para>Types that cannot cross the wire (<see cref="Type"/> and other reflection objects, delegates, streams, tasks,
/// pointers) are refused when written, and so is a graph deeper than <see cref="MaxDepth"/> (a cycle would otherwise
/// overflow the stack): the publish then throws <see cref="PayloadSerializationException"/>.</para>
/// </remarks>
internal sealed class MessagePackPayloadFormat(StasisBus bus)
{
    /// <summary>Deepest nesting of objects written or read, as System.Text.Json's default.</summary>
    public const int MaxDepth = 64;

    // Read depth is checked by MessagePack itself (MaximumObjectGraphDepth); write depth by the guard below.
    private readonly MessagePackSerializerOptions _options = new BusOptions(bus).WithSecurity(MessagePackSecurity.TrustedData.WithMaximumObjectGraphDepth(MaxDepth));

    public byte[] Write(object payload, Type type) => MessagePackSerializer.Serialize(type, payload, _options);

    public object? Read(byte[] payload, Type type) => MessagePackSerializer.Deserialize(type, payload, _options);

    /// <summary>The serializer options of one bus: the message type formatter finds the bus through them.</summary>
    private sealed class BusOptions : MessagePackSerializerOptions
    {
        public BusOptions(StasisBus bus)
            : base(PayloadResolver.Instance)
        {
            Bus = bus;
        }

        private BusOptions(BusOptions copyFrom)
            : base(copyFrom)
        {
            Bus = copyFrom.Bus;
        }

        public StasisBus Bus { get; }

        protected override MessagePackSerializerOptions Clone() => new BusOptions(this);
    }

    /// <summary>
    /// The bus's types and refusals first, then MessagePack's contractless standard resolver. Every formatter of a
    /// reference type is wrapped in a depth guard: nested members are resolved through these options again, so the guard
    /// sees every level.
    /// </summary>
    private sealed class PayloadResolver : IFormatterResolver
    {
        public static readonly PayloadResolver Instance = new();

        public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Formatter;

        private static object? Create<T>()
        {
            var type = typeof(T);
            if (type == typeof(EntityId))
                return new EntityIdFormatter();
            if (typeof(MessageType).IsAssignableFrom(type))
                return Activator.CreateInstance(typeof(MessageTypeFormatter<>).MakeGenericType(type));
            if (Refused(type) is { } reason)
                return new RefusedFormatter<T>(reason);
            var formatter = ContractlessStandardResolver.Instance.GetFormatter<T>();
            return formatter is null || type.IsValueType || type == typeof(string) || type == typeof(byte[])
                ? formatter
                : new DepthGuardFormatter<T>(formatter);
        }

        private static string? Refused(Type type)
        {
            if (typeof(MemberInfo).IsAssignableFrom(type) || typeof(Assembly).IsAssignableFrom(type) || typeof(Module).IsAssignableFrom(type))
                return "reflection objects (Type, MemberInfo, Assembly) cannot cross the wire";
            if (typeof(Delegate).IsAssignableFrom(type))
                return "delegates cannot cross the wire";
            if (typeof(Stream).IsAssignableFrom(type) || typeof(Task).IsAssignableFrom(type) || typeof(WaitHandle).IsAssignableFrom(type))
                return "streams, tasks and wait handles cannot cross the wire";
            if (type.IsPointer || type == typeof(IntPtr) || type == typeof(UIntPtr))
                return "pointers cannot cross the wire";
            return null;
        }

        private static class Cache<T>
        {
            public static readonly IMessagePackFormatter<T>? Formatter = (IMessagePackFormatter<T>?)Create<T>();
        }
    }

    /// <summary>An EID as its text (nil for a default EID).</summary>
    private sealed class EntityIdFormatter : IMessagePackFormatter<EntityId>
    {
        public void Serialize(ref MessagePackWriter writer, EntityId value, MessagePackSerializerOptions options) => writer.Write(value.Value);

        public EntityId Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
            reader.ReadString() is { } text ? new EntityId(text) : default;
    }

    /// <summary>A message type as its name, read back as the receiving bus's type of that name.</summary>
    private sealed class MessageTypeFormatter<T> : IMessagePackFormatter<T?> where T : MessageType
    {
        public void Serialize(ref MessagePackWriter writer, T? value, MessagePackSerializerOptions options)
        {
            if (value is null)
                writer.WriteNil();
            else
                writer.Write(value.Name);
        }

        public T? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
        {
            if (reader.TryReadNil())
                return null;
            var name = reader.ReadString() ?? "";
            var type = ((BusOptions)options).Bus.GetMessageType(name)
                       ?? throw new MessagePackSerializationException($"Unknown message type '{name}': create it on this node too.");
            return type as T ?? throw new MessagePackSerializationException($"The message type '{name}' is a {type.GetType()} here, not a {typeof(T)}.");
        }
    }

    /// <summary>Fails on any value of a type that cannot cross the wire, naming it and why.</summary>
    private sealed class RefusedFormatter<T>(string reason) : IMessagePackFormatter<T>
    {
        public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options) =>
            throw new NotSupportedException($"{typeof(T).FullName} is not supported by the messagepack payload codec: {reason}.");

        public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
            throw new NotSupportedException($"{typeof(T).FullName} is not supported by the messagepack payload codec: {reason}.");
    }

    /// <summary>Counts the nesting of objects being written on this thread and refuses a graph deeper than <see cref="MaxDepth"/>.</summary>
    private sealed class DepthGuardFormatter<T>(IMessagePackFormatter<T> inner) : IMessagePackFormatter<T>
    {
        public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
        {
            if (++DepthGuard.Depth > MaxDepth)
            {
                DepthGuard.Depth = 0; // the exception ends this write: the next one starts at the top
                throw new MessagePackSerializationException($"The payload nests objects deeper than {MaxDepth} levels at {typeof(T).FullName} (a cycle?).");
            }
            try
            {
                inner.Serialize(ref writer, value, options);
            }
            finally
            {
                DepthGuard.Depth = Math.Max(0, DepthGuard.Depth - 1);
            }
        }

        public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => inner.Deserialize(ref reader, options);
    }

    /// <summary>The nesting depth of the write in progress on this thread (shared by every <see cref="DepthGuardFormatter{T}"/>).</summary>
    private static class DepthGuard
    {
        [ThreadStatic] public static int Depth;
    }
}
