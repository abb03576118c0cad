namespace Stasis.Actors;

/// <summary>
/// The formatters a message type can have (Asterisk's <c>stasis_subscription_message_formatters</c>), as flags: what
/// <see cref="MessageType.AvailableFormatters"/> reports and what formatter filters accept.
/// </summary>
[Flags]
public enum MessageFormatters
{
    /// <summary>No formatter.</summary>
    None = 0,

    /// <summary>A JSON formatter (<see cref="StasisMessage.ToJson"/>): what ARI-style consumers read.</summary>
    Json = 1,

    /// <summary>An AMI formatter (<see cref="StasisMessage.ToAmi"/>): what AMI-style consumers read.</summary>
    Ami = 2,

    /// <summary>An event formatter (<see cref="StasisMessage.ToEvent"/>).</summary>
    Event = 4,
}
