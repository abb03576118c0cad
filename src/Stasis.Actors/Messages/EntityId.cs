namespace Stasis.Actors;

/// <summary>
/// The entity id (EID) of a node of the bus: every <see cref="StasisMessage"/> carries the EID of the node that
/// created it, so a subscriber can tell local messages from messages that came from another node.
/// </summary>
/// <remarks>
/// An EID is an opaque, non-empty text such as <c>00:1a:2b:3c:4d:5e</c>. The local node's EID is read once from
/// <c>stasis.eid</c>, or generated at start when that key is empty, and stays the same for the bus's lifetime.
/// </remarks>
public readonly record struct EntityId
{
    /// <summary>Creates an EID from its text.</summary>
    /// <param name="value">The EID's text; must not be empty or white space.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null, empty or white space.</exception>
    public EntityId(string value)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException("An entity id must be a non-empty text.", nameof(value));
        Value = value;
    }

    /// <summary>The EID's text.</summary>
    public string Value { get; }

    /// <summary>Makes a random EID in the MAC-address form Asterisk uses (six hex bytes separated by colons).</summary>
    public static EntityId NewRandom()
    {
        var bytes = new byte[6];
        Random.Shared.NextBytes(bytes);
        bytes[0] = (byte)((bytes[0] | 0x02) & 0xFE); // locally administered, unicast: never a real NIC's address
        return new EntityId(string.Join(":", bytes.Select(b => b.ToString("x2"))));
    }

    /// <inheritdoc />
    public override string ToString() => Value ?? "";
}
