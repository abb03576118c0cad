namespace Stasis.Actors;

/// <summary>
/// A message in the form of a generic event (Asterisk's <c>ast_event</c>, made by a type's <c>to_event</c>
/// formatter): an event type and its ordered fields, for consumers that want events rather than typed payloads.
/// </summary>
public sealed class StasisEvent
{
    /// <summary>Makes an event.</summary>
    /// <param name="eventType">The event's type, e.g. <c>DeviceState</c>; not empty.</param>
    /// <param name="fields">Its fields, in order; names not empty, values not null.</param>
    /// <exception cref="ArgumentException">The type or a field name is empty, or a value is null.</exception>
    public StasisEvent(string eventType, IEnumerable<KeyValuePair<string, object>> fields)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventType);
        ArgumentNullException.ThrowIfNull(fields);
        EventType = eventType;
        Fields = [.. fields];
        foreach (var (name, value) in Fields)
        {
            if (string.IsNullOrEmpty(name))
                throw new ArgumentException($"Event '{eventType}' has a field without a name.", nameof(fields));
            if (value is null)
                throw new ArgumentException($"Field '{name}' of event '{eventType}' is null.", nameof(fields));
        }
    }

    /// <summary>The event's type.</summary>
    public string EventType { get; }

    /// <summary>The fields, in the order given.</summary>
    public IReadOnlyList<KeyValuePair<string, object>> Fields { get; }

    /// <summary>The value of the first field named <paramref name="name"/>, or null.</summary>
    public object? this[string name] => Fields.FirstOrDefault(f => f.Key == name).Value;

    /// <inheritdoc />
    public override string ToString() => $"{EventType}({string.Join(", ", Fields.Select(f => $"{f.Key}={f.Value}"))})";
}
