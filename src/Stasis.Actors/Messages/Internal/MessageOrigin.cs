namespace Stasis.Actors.Internal;

/// <summary>
/// Where a message comes from: its type and the EID of the node that made it. Shared by every message of a type made
/// on one node (<see cref="MessageType.LocalOrigin"/>), so a message carries one reference for both instead of a
/// reference and an EID of its own: on a bus whose messages are mostly queued, every byte of a message is carried by
/// the garbage collector for as long as it waits.
/// </summary>
internal sealed class MessageOrigin(MessageType type, EntityId eid, bool isLocal)
{
    public MessageType Type { get; } = type;

    public EntityId Eid { get; } = eid;

    /// <summary>True when <see cref="Eid"/> is the bus's own EID.</summary>
    public bool IsLocal { get; } = isLocal;
}
