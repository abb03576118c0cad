using System.Buffers.Binary;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using Stasis.Actors.Cluster.Internal;

namespace Stasis.Actors.Cluster.Serialization;

/// <summary>
/// The serializer of envelope batches (identifier 7318, bound in <c>hocon/stasis-cluster.conf</c>): many envelopes of
/// one origin node on one topic in one remoting message.
/// </summary>
/// <remarks>
/// <para>Layout (little-endian): format version (1 byte), topic, origin EID, envelope count (int32), then per envelope
/// its message type name, timestamp ticks (int64), ack id (int64), probe flag (1 byte), payload (int32 length +
/// bytes) and the names of the topics the same publish was sent on (int32 count, then the strings; 0 when only one);
/// strings are an int32 UTF-8 length and the bytes. The topic and EID are written once per batch, and a message
/// type name equal to the previous envelope's is read back as the same string.</para>
/// <para>A batch is serialized once, whatever the number of receiving nodes (the bytes are kept on the batch), into
/// one array of the exact size. Thread-safe.</para>
/// </remarks>
public sealed class StasisBatchSerializer : Serializer
{
    private const byte Version = 1;

    /// <summary>Created by Akka's serialization from configuration.</summary>
    public StasisBatchSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    /// <inheritdoc />
    public override int Identifier => 7318;

    /// <inheritdoc />
    public override bool IncludeManifest => false;

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        if (obj is not WireBatch batch)
            throw new ArgumentException($"StasisBatchSerializer cannot write {obj.GetType()}.", nameof(obj));
        return batch.Bytes ??= Write(batch);
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, Type type)
    {
        var reader = new Reader(bytes);
        if (reader.Byte() != Version)
            throw new System.Runtime.Serialization.SerializationException($"StasisBatchSerializer: unknown batch format {bytes[0]}.");
        var topic = reader.String();
        var eid = reader.String();
        var envelopes = new WireEnvelope[reader.Int32()];
        for (var i = 0; i < envelopes.Length; i++)
        {
            var messageType = reader.RepeatedString();
            envelopes[i] = new WireEnvelope(topic, messageType, reader.Int64(), eid, reader.Int64(), reader.Byte() != 0, reader.Bytes(), reader.Strings());
        }
        return new WireBatch(topic, eid, envelopes);
    }

    private static byte[] Write(WireBatch batch)
    {
        var length = 1 + Size(batch.Topic) + Size(batch.Eid) + 4;
        foreach (var envelope in batch.Envelopes)
        {
            // Deconstructed positionally so that a field added to WireEnvelope breaks this build until batches carry it too.
            var (topic, messageType, _, eid, _, _, payload, sent) = envelope;
            if (topic != batch.Topic || eid != batch.Eid)
                throw new ArgumentException("A batch holds envelopes of one topic and one origin node only.", nameof(batch));
            length += Size(messageType) + 8 + 8 + 1 + 4 + payload.Length + 4 + sent.Sum(Size);
        }
        var bytes = new byte[length];
        var writer = new Writer(bytes);
        writer.Byte(Version);
        writer.String(batch.Topic);
        writer.String(batch.Eid);
        writer.Int32(batch.Envelopes.Length);
        foreach (var (_, messageType, ticks, _, ackId, isProbe, payload, sent) in batch.Envelopes)
        {
            writer.String(messageType);
            writer.Int64(ticks);
            writer.Int64(ackId);
            writer.Byte(isProbe ? (byte)1 : (byte)0);
            writer.Bytes(payload);
            writer.Int32(sent.Length);
            foreach (var name in sent)
                writer.String(name);
        }
        return bytes;
    }

    private static int Size(string text) => 4 + Encoding.UTF8.GetByteCount(text);

    private ref struct Writer(byte[] bytes)
    {
        private readonly Span<byte> _bytes = bytes;
        private int _at;

        public void Byte(byte value) => _bytes[_at++] = value;

        public void Int32(int value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_bytes[_at..], value);
            _at += 4;
        }

        public void Int64(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_bytes[_at..], value);
            _at += 8;
        }

        public void String(string value)
        {
            var length = Encoding.UTF8.GetBytes(value, _bytes[(_at + 4)..]);
            Int32(length);
            _at += length;
        }

        public void Bytes(byte[] value)
        {
            Int32(value.Length);
            value.CopyTo(_bytes[_at..]);
            _at += value.Length;
        }
    }

    private ref struct Reader(byte[] bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _at;
        private int _lastStart;
        private int _lastLength = -1;
        private string _last = "";

        public byte Byte() => _bytes[_at++];

        public int Int32()
        {
            var value = BinaryPrimitives.ReadInt32LittleEndian(_bytes[_at..]);
            _at += 4;
            return value;
        }

        public long Int64()
        {
            var value = BinaryPrimitives.ReadInt64LittleEndian(_bytes[_at..]);
            _at += 8;
            return value;
        }

        public string String() => Encoding.UTF8.GetString(Span(Int32()));

        /// <summary>A string, the same instance as the last one read here when the bytes are the same (no new string per envelope of one type).</summary>
        public string RepeatedString()
        {
            var length = Int32();
            var start = _at;
            var span = Span(length);
            if (length != _lastLength || !span.SequenceEqual(_bytes.Slice(_lastStart, _lastLength)))
                (_last, _lastStart, _lastLength) = (Encoding.UTF8.GetString(span), start, length);
            return _last;
        }

        public byte[] Bytes() => Span(Int32()).ToArray();

        public string[] Strings()
        {
            var count = Int32();
            if (count == 0)
                return [];
            if (count < 0 || count > _bytes.Length - _at)
                throw new System.Runtime.Serialization.SerializationException("StasisBatchSerializer: a truncated batch.");
            var values = new string[count];
            for (var i = 0; i < count; i++)
                values[i] = String();
            return values;
        }

        private ReadOnlySpan<byte> Span(int length)
        {
            if (length < 0 || _at + length > _bytes.Length)
                throw new System.Runtime.Serialization.SerializationException("StasisBatchSerializer: a truncated batch.");
            var span = _bytes.Slice(_at, length);
            _at += length;
            return span;
        }
    }
}
