namespace Stasis.Host.Traffic;

/// <summary>A channel's state, with Asterisk's names (the subset the simulated calls go through).</summary>
public enum ChannelState
{
    /// <summary>Created, not yet doing anything.</summary>
    Down,

    /// <summary>The caller's side: dialling out, hearing ring-back.</summary>
    Ring,

    /// <summary>The callee's side: its phone is ringing.</summary>
    Ringing,

    /// <summary>Answered: the call is up.</summary>
    Up,
}

/// <summary>
/// An immutable snapshot of one channel, as Asterisk's <c>ast_channel_snapshot</c>: every state change publishes a new
/// one on the channel's topic; the channel cache keeps the latest per <see cref="UniqueId"/>.
/// </summary>
/// <param name="UniqueId">The channel's unique id (e.g. <c>1764142000.42</c>): the cache id.</param>
/// <param name="Name">The channel's name (e.g. <c>PJSIP/alice-0000002a</c>).</param>
/// <param name="State">The channel's state.</param>
/// <param name="CallerNumber">The caller id number.</param>
/// <param name="Exten">The dial-plan extension the channel is in.</param>
/// <param name="CreationTime">When the channel was created.</param>
/// <param name="IsDead">True on the last snapshot, published when the channel is hung up.</param>
/// <param name="HangupCause">The Q.850 hang-up cause (16 = normal clearing), 0 while the channel lives.</param>
public sealed record ChannelSnapshot(
    string UniqueId,
    string Name,
    ChannelState State,
    string CallerNumber,
    string Exten,
    DateTimeOffset CreationTime,
    bool IsDead = false,
    int HangupCause = 0);

/// <summary>A dial event between two channels (Asterisk's <c>ast_channel_dial_type</c>).</summary>
/// <param name="CallerUniqueId">The dialling channel.</param>
/// <param name="PeerUniqueId">The dialled channel.</param>
/// <param name="DialString">What was dialled.</param>
/// <param name="Status">Empty when dialling starts; <c>ANSWER</c>, <c>BUSY</c>... when it ends.</param>
public sealed record ChannelDial(string CallerUniqueId, string PeerUniqueId, string DialString, string Status);

/// <summary>A DTMF digit received on a channel (Asterisk's <c>ast_channel_dtmf_end_type</c>).</summary>
/// <param name="UniqueId">The channel.</param>
/// <param name="Digit">The digit.</param>
/// <param name="DurationMs">How long the key was pressed.</param>
public sealed record ChannelDtmf(string UniqueId, char Digit, int DurationMs);

/// <summary>A channel variable was set (Asterisk's <c>ast_channel_varset_type</c>).</summary>
/// <param name="UniqueId">The channel.</param>
/// <param name="Variable">The variable's name.</param>
/// <param name="Value">Its new value.</param>
public sealed record ChannelVarSet(string UniqueId, string Variable, string Value);
