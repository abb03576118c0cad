using System.Text;

namespace Stasis.Actors;

/// <summary>
/// A message as an AMI event (Asterisk's <c>ast_manager_event_blob</c>, made by a type's <c>to_ami</c> formatter): the
/// event's name, its privilege classes and its headers in order. <see cref="ToWireFormat"/> renders AMI's wire form.
/// </summary>
/// <remarks>
/// Names and values are checked when the event is made: a carriage return or line feed in any of them would let one
/// event's data forge headers or whole events on an AMI connection, so it is rejected.
/// </remarks>
public sealed class AmiEvent
{
    /// <summary>Makes an AMI event.</summary>
    /// <param name="eventName">The <c>Event:</c> header, e.g. <c>Newchannel</c>.</param>
    /// <param name="headers">The other headers, in order (a name may repeat, as AMI allows).</param>
    /// <param name="privilege">The event's classes for the <c>Privilege:</c> header (e.g. <c>call,all</c>); none when null.</param>
    /// <exception cref="ArgumentException">A name is empty or contains ':' or a line break, or a value contains a line break.</exception>
    public AmiEvent(string eventName, IEnumerable<KeyValuePair<string, string>> headers, string? privilege = null)
    {
        CheckName(eventName, "event name");
        ArgumentNullException.ThrowIfNull(headers);
        EventName = eventName;
        Privilege = privilege is null ? null : CheckValue("Privilege", privilege);
        Headers = [.. headers];
        foreach (var (name, value) in Headers)
        {
            CheckName(name, $"header name in event '{eventName}'");
            CheckValue(name, value ?? throw new ArgumentException($"Header '{name}' of AMI event '{eventName}' is null.", nameof(headers)));
        }
    }

    /// <summary>The event's name (the <c>Event:</c> header).</summary>
    public string EventName { get; }

    /// <summary>The <c>Privilege:</c> header's value, or null.</summary>
    public string? Privilege { get; }

    /// <summary>The headers after <c>Event:</c> and <c>Privilege:</c>, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The value of the first header named <paramref name="name"/> (case-insensitive, as AMI reads them), or null.</summary>
    public string? this[string name] => Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>
    /// The event in AMI's wire form: <c>Event: name\r\n</c>, <c>Privilege: …\r\n</c> when set, one <c>Key: Value\r\n</c>
    /// per header, and the empty line that ends an AMI message.
    /// </summary>
    public string ToWireFormat()
    {
        var text = new StringBuilder();
        text.Append("Event: ").Append(EventName).Append("\r\n");
        if (Privilege is not null)
            text.Append("Privilege: ").Append(Privilege).Append("\r\n");
        foreach (var (name, value) in Headers)
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        return text.Append("\r\n").ToString();
    }

    /// <inheritdoc />
    public override string ToString() => ToWireFormat();

    private static void CheckName(string name, string what)
    {
        if (string.IsNullOrEmpty(name) || name.AsSpan().IndexOfAny(":\r\n") >= 0)
            throw new ArgumentException($"An AMI {what} must be non-empty and hold no ':' nor line break: '{name}'.");
    }

    private static string CheckValue(string name, string value) =>
        value.AsSpan().IndexOfAny('\r', '\n') >= 0
            ? throw new ArgumentException($"The value of AMI header '{name}' holds a line break.")
            : value;
}
