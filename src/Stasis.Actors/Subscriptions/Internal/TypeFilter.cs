using System.Collections.Immutable;

namespace Stasis.Actors.Internal;

/// <summary>
/// An immutable subscription filter, by message type and by formatter (stasis.h's rule): with neither a selective type
/// list nor accepted formatters every type passes; otherwise a type passes when it is accepted OR it has an accepted
/// formatter. A declined type never passes (declining wins over a formatter).
/// </summary>
internal sealed class TypeFilter
{
    public static readonly TypeFilter AcceptAll = new(false, [], [], MessageFormatters.None);

    private TypeFilter(bool selective, ImmutableHashSet<MessageType> accepted, ImmutableHashSet<MessageType> declined, MessageFormatters formatters)
    {
        IsSelective = selective;
        Accepted = accepted;
        Declined = declined;
        Formatters = formatters;
    }

    /// <summary>True when only <see cref="Accepted"/> types (and formatter matches) pass.</summary>
    public bool IsSelective { get; }

    public ImmutableHashSet<MessageType> Accepted { get; }

    public ImmutableHashSet<MessageType> Declined { get; }

    /// <summary>Formatters whose types pass (<see cref="MessageFormatters.None"/>: no formatter filter).</summary>
    public MessageFormatters Formatters { get; }

    /// <summary>True when every type passes but the declined ones: neither selective nor filtering by formatter.</summary>
    public bool IsOpen => !IsSelective && Formatters == MessageFormatters.None;

    /// <summary>A selective filter accepting exactly <paramref name="types"/> (possibly none).</summary>
    public static TypeFilter AcceptOnly(IEnumerable<MessageType> types) => new(true, [.. types], [], MessageFormatters.None);

    public bool Accepts(MessageType type) =>
        !Declined.Contains(type)
        && (IsOpen || (IsSelective && Accepted.Contains(type)) || (Formatters & type.AvailableFormatters) != 0);

    public TypeFilter Accept(MessageType type) => new(true, Accepted.Add(type), Declined.Remove(type), Formatters);

    public TypeFilter Decline(MessageType type) => new(IsSelective, Accepted.Remove(type), Declined.Add(type), Formatters);

    /// <summary>Replaces the accepted formatters (as Asterisk's <c>stasis_subscription_accept_formatters</c> does).</summary>
    public TypeFilter WithFormatters(MessageFormatters formatters) => new(IsSelective, Accepted, Declined, formatters);

    /// <summary>Selective (only accepted types and formatter matches pass), keeping the accepted types.</summary>
    public TypeFilter AsSelective() => new(true, Accepted, Declined, Formatters);

    public static TypeFilter From(SubscriptionOptions options)
    {
        var filter = AcceptAll;
        foreach (var type in options.AcceptOnly ?? [])
            filter = filter.Accept(type ?? throw new ArgumentException("AcceptOnly holds a null message type.", nameof(options)));
        foreach (var type in options.Decline ?? [])
            filter = filter.Decline(type ?? throw new ArgumentException("Decline holds a null message type.", nameof(options)));
        return options.AcceptFormatters is { } formatters ? filter.WithFormatters(formatters) : filter;
    }
}
