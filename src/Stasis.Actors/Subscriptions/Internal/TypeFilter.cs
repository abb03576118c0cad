using System.Collections.Immutable;
using Stasis.Actors.Messages;

namespace Stasis.Actors.Subscriptions.Internal;

/// <summary>An immutable message-type filter: selective (accept only listed types) or open (decline listed types).</summary>
internal sealed class TypeFilter
{
    public static readonly TypeFilter AcceptAll = new(false, [], []);

    private TypeFilter(bool selective, ImmutableHashSet<MessageType> accepted, ImmutableHashSet<MessageType> declined)
    {
        IsSelective = selective;
        Accepted = accepted;
        Declined = declined;
    }

    public bool IsSelective { get; }

    /// <summary>A selective filter accepting exactly <paramref name="types"/> (possibly none).</summary>
    public static TypeFilter AcceptOnly(IEnumerable<MessageType> types) => new(true, [.. types], []);

    public ImmutableHashSet<MessageType> Accepted { get; }

    public ImmutableHashSet<MessageType> Declined { get; }

    public bool Accepts(MessageType type) => IsSelective ? Accepted.Contains(type) : !Declined.Contains(type);

    public TypeFilter Accept(MessageType type) => new(true, Accepted.Add(type), Declined.Remove(type));

    public TypeFilter Decline(MessageType type) => new(IsSelective, Accepted.Remove(type), Declined.Add(type));

    public static TypeFilter From(SubscriptionOptions options)
    {
        var filter = AcceptAll;
        foreach (var type in options.AcceptOnly ?? [])
            filter = filter.Accept(type ?? throw new ArgumentException("AcceptOnly holds a null message type.", nameof(options)));
        foreach (var type in options.Decline ?? [])
            filter = filter.Decline(type ?? throw new ArgumentException("Decline holds a null message type.", nameof(options)));
        return filter;
    }
}
