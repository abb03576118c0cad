using System.Text;
using Akka.Actor;
using Akka.Serialization;
using Stasis.Actors.Cluster.Internal;

namespace Stasis.Actors.Cluster.Serialization;

/// <summary>
/// The serializer of the Stasis cluster protocol (identifier 7317, bound in <c>hocon/stasis-cluster.conf</c>): message
/// envelopes, acknowledgements and node announcements, in a compact binary form.
/// </summary>
/// <remarks>
/// An envelope carries the topic name, the message type name, the creation time, the origin EID and the payload written
/// once by the publisher with the payload codec (<c>stasis.cluster.payload-codec</c>: System.Text.Json by default, see
/// <see cref="StasisCluster.PayloadJsonOptions"/>); when one publish went out on several clustered topics, also their
/// names. Batches of envelopes are written by <see cref="StasisBatchSerializer"/>.
/// The receiving node reads the payload back as the payload type of its own message type of the same name.
/// Thread-safe: it holds no state.
/// </remarks>
public sealed class StasisWireSerializer : SerializerWithStringManifest
{
    private const string EnvelopeManifest = "E";
    private const string AckManifest = "A";
    private const string HelloManifest = "H";

    /// <summary>Created by Akka's serialization from configuration.</summary>
    public StasisWireSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    /// <inheritdoc />
    public override int Identifier => 7317;

    /// <inheritdoc />
    public override string Manifest(object o) => o switch
    {
        WireEnvelope => EnvelopeManifest,
        WireAck => AckManifest,
        NodeHello => HelloManifest,
        _ => throw new ArgumentException($"StasisWireSerializer cannot write {o.GetType()}.", nameof(o)),
    };

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            switch (obj)
            {
                case WireEnvelope e:
                    writer.Write(e.Topic);
                    writer.Write(e.MessageType);
                    writer.Write(e.TimestampTicks);
                    writer.Write(e.Eid);
                    writer.Write(e.AckId);
                    writer.Write(e.IsProbe);
                    writer.Write(e.Payload.Length);
                    writer.Write(e.Payload);
                    if (e.Sent.Length > 0)
                        WriteStrings(writer, e.Sent); // last and only when present: an envelope without it reads as before
                    break;
                case WireAck a:
                    writer.Write(a.AckId);
                    writer.Write(a.Eid);
                    break;
                case NodeHello h:
                    writer.Write(h.Eid);
                    writer.Write(h.WantsReply);
                    WriteStrings(writer, h.Topics);
                    break;
                default:
                    throw new ArgumentException($"StasisWireSerializer cannot write {obj.GetType()}.", nameof(obj));
            }
        }
        return stream.ToArray();
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        return manifest switch
        {
            EnvelopeManifest => new WireEnvelope(reader.ReadString(), reader.ReadString(), reader.ReadInt64(), reader.ReadString(),
                reader.ReadInt64(), reader.ReadBoolean(), reader.ReadBytes(reader.ReadInt32()),
                reader.BaseStream.Position < reader.BaseStream.Length ? ReadStrings(reader) : []),
            AckManifest => new WireAck(reader.ReadInt64(), reader.ReadString()),
            HelloManifest => ReadHello(reader),
            _ => throw new System.Runtime.Serialization.SerializationException($"StasisWireSerializer: unknown manifest '{manifest}'."),
        };
    }

    private static NodeHello ReadHello(BinaryReader reader)
    {
        var eid = reader.ReadString();
        var wantsReply = reader.ReadBoolean();
        return new NodeHello(eid, ReadStrings(reader), wantsReply);
    }

    private static void WriteStrings(BinaryWriter writer, string[] values)
    {
        writer.Write(values.Length);
        foreach (var value in values)
            writer.Write(value);
    }

    private static string[] ReadStrings(BinaryReader reader)
    {
        var values = new string[reader.ReadInt32()];
        for (var i = 0; i < values.Length; i++)
            values[i] = reader.ReadString();
        return values;
    }
}
