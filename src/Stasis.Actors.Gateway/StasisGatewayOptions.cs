namespace Stasis.Actors.Gateway;

/// <summary>Settings of the gateway: credentials, limits and the AMI port.</summary>
public sealed class StasisGatewayOptions
{
    /// <summary>
    /// The token HTTP clients present (<c>Authorization: Bearer TOKEN</c>, or <c>?token=TOKEN</c> where a browser cannot
    /// set headers). Null: a random one is generated at start, logged, and readable from <see cref="StasisGateway.Token"/>.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>The AMI user name (default <c>admin</c>).</summary>
    public string AmiUsername { get; set; } = "admin";

    /// <summary>The AMI secret. Null: a random one is generated at start and logged (<see cref="StasisGateway.AmiSecret"/>).</summary>
    public string? AmiSecret { get; set; }

    /// <summary>The AMI port on <see cref="AmiAddress"/>; 0 turns the AMI port off (default 5038, as Asterisk's).</summary>
    public int AmiPort { get; set; } = 5038;

    /// <summary>The address the AMI port listens on (default 127.0.0.1: reachable from this machine only).</summary>
    public string AmiAddress { get; set; } = "127.0.0.1";

    /// <summary>The topics an AMI connection with events on receives (default <c>channel:all</c>).</summary>
    public IList<string> AmiTopics { get; set; } = ["channel:all"];

    /// <summary>
    /// Messages queued for one client before it is disconnected as too slow (default 10 000). The bus never waits
    /// for a client: a full buffer ends that client's connection, with a close reason.
    /// </summary>
    public int SendBufferMessages { get; set; } = 10_000;

    /// <summary>Connections at once, WebSocket and AMI each (default 100); more are refused (HTTP 503, or closed).</summary>
    public int MaxConnections { get; set; } = 100;

    /// <summary>Longest AMI line accepted, in characters (default 1024); a longer one counts as a malformed action.</summary>
    public int MaxAmiLineLength { get; set; } = 1024;

    /// <summary>Malformed or unknown AMI actions tolerated per connection before it is closed (default 5).</summary>
    public int MaxAmiErrors { get; set; } = 5;

    /// <summary>Hides channels from the JSON events (Asterisk's <c>stasis_message_sanitizer</c>); null shows everything.</summary>
    public MessageSanitizer? Sanitizer { get; set; }

    internal void Validate()
    {
        if (SendBufferMessages < 1)
            throw new ArgumentOutOfRangeException(nameof(SendBufferMessages), SendBufferMessages, "Stasis gateway: SendBufferMessages must be at least 1.");
        if (MaxConnections < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxConnections), MaxConnections, "Stasis gateway: MaxConnections must be at least 1.");
        if (AmiPort is < 0 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(AmiPort), AmiPort, "Stasis gateway: AmiPort must be from 0 (off) to 65535.");
        if (MaxAmiLineLength < 64 || MaxAmiErrors < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxAmiLineLength), "Stasis gateway: MaxAmiLineLength must be at least 64 and MaxAmiErrors at least 1.");
    }
}
