namespace Stasis.Actors;

/// <summary>
/// Hides parts of messages from an external consumer (Asterisk's <c>stasis_message_sanitizer</c>): a JSON formatter is
/// given the sanitizer of the consumer it formats for and leaves out, or returns null for, what the sanitizer hides.
/// Every hook left null hides nothing.
/// </summary>
public sealed record MessageSanitizer
{
    /// <summary>True for a channel unique id that must not be shown (e.g. an internal Local channel).</summary>
    public Func<string, bool>? HideChannelId { get; init; }

    /// <summary>True for a snapshot (any payload object) that must not be shown.</summary>
    public Func<object, bool>? HideSnapshot { get; init; }

    /// <summary>True when <paramref name="channelId"/> is hidden by <see cref="HideChannelId"/>.</summary>
    public bool Hides(string channelId) => HideChannelId?.Invoke(channelId) == true;

    /// <summary>True when <paramref name="snapshot"/> is hidden by <see cref="HideSnapshot"/>.</summary>
    public bool HidesSnapshot(object snapshot) => HideSnapshot?.Invoke(snapshot) == true;
}
