using System.Globalization;
using System.Text.Json.Nodes;
using Stasis.Actors;

namespace Stasis.Host.Traffic;

/// <summary>
/// The JSON (ARI-style) and AMI formatters of the channel message types, with Asterisk's event and header names where
/// one exists: a snapshot is <c>Newchannel</c> while down, <c>Newstate</c> after and <c>Hangup</c> when dead; a dial is
/// <c>DialBegin</c>, or <c>DialEnd</c> once it has a status; DTMF is <c>DTMFEnd</c>; a variable is <c>VarSet</c>. JSON
/// leaves out every channel the sanitizer hides (a message about a hidden channel gives null).
/// </summary>
internal static class ChannelFormatters
{
    private const string CallPrivilege = "call,all";

    public static MessageTypeFormatters<ChannelSnapshot> Snapshot { get; } = new()
    {
        ToJson = (m, sanitizer) => Hidden(sanitizer, m.Payload.UniqueId) ? null : new JsonObject
        {
            ["type"] = m.Payload.IsDead ? "ChannelDestroyed" : m.Payload.State == ChannelState.Down ? "ChannelCreated" : "ChannelStateChange",
            ["timestamp"] = m.Timestamp,
            ["channel"] = Channel(m.Payload),
            ["cause"] = m.Payload.IsDead ? m.Payload.HangupCause : null,
        },
        ToAmi = m =>
        {
            var snapshot = m.Payload;
            var name = snapshot.IsDead ? "Hangup" : snapshot.State == ChannelState.Down ? "Newchannel" : "Newstate";
            List<KeyValuePair<string, string>> headers =
            [
                new("Channel", snapshot.Name),
                new("ChannelState", AmiStateNumber(snapshot.State).ToString(CultureInfo.InvariantCulture)),
                new("ChannelStateDesc", snapshot.State.ToString()),
                new("CallerIDNum", snapshot.CallerNumber),
                new("Exten", snapshot.Exten),
                new("Uniqueid", snapshot.UniqueId),
            ];
            if (snapshot.IsDead)
                headers.Add(new("Cause", snapshot.HangupCause.ToString(CultureInfo.InvariantCulture)));
            return new AmiEvent(name, headers, CallPrivilege);
        },
    };

    public static MessageTypeFormatters<ChannelDial> Dial { get; } = new()
    {
        ToJson = (m, sanitizer) => Hidden(sanitizer, m.Payload.CallerUniqueId) || Hidden(sanitizer, m.Payload.PeerUniqueId) ? null : new JsonObject
        {
            ["type"] = "Dial",
            ["timestamp"] = m.Timestamp,
            ["caller"] = new JsonObject { ["id"] = m.Payload.CallerUniqueId },
            ["peer"] = new JsonObject { ["id"] = m.Payload.PeerUniqueId },
            ["dialstring"] = m.Payload.DialString,
            ["dialstatus"] = m.Payload.Status,
        },
        ToAmi = m => new AmiEvent(m.Payload.Status.Length == 0 ? "DialBegin" : "DialEnd",
        [
            new("Uniqueid", m.Payload.CallerUniqueId),
            new("DestUniqueid", m.Payload.PeerUniqueId),
            new("DialString", m.Payload.DialString),
            .. m.Payload.Status.Length == 0 ? [] : new KeyValuePair<string, string>[] { new("DialStatus", m.Payload.Status) },
        ], CallPrivilege),
    };

    public static MessageTypeFormatters<ChannelDtmf> Dtmf { get; } = new()
    {
        ToJson = (m, sanitizer) => Hidden(sanitizer, m.Payload.UniqueId) ? null : new JsonObject
        {
            ["type"] = "ChannelDtmfReceived",
            ["timestamp"] = m.Timestamp,
            ["digit"] = m.Payload.Digit.ToString(),
            ["duration_ms"] = m.Payload.DurationMs,
            ["channel"] = new JsonObject { ["id"] = m.Payload.UniqueId },
        },
        ToAmi = m => new AmiEvent("DTMFEnd",
        [
            new("Uniqueid", m.Payload.UniqueId),
            new("Digit", m.Payload.Digit.ToString()),
            new("DurationMs", m.Payload.DurationMs.ToString(CultureInfo.InvariantCulture)),
            new("Direction", "Received"),
        ], "dtmf,all"),
    };

    public static MessageTypeFormatters<ChannelVarSet> VarSet { get; } = new()
    {
        ToJson = (m, sanitizer) => Hidden(sanitizer, m.Payload.UniqueId) ? null : new JsonObject
        {
            ["type"] = "ChannelVarset",
            ["timestamp"] = m.Timestamp,
            ["variable"] = m.Payload.Variable,
            ["value"] = m.Payload.Value,
            ["channel"] = new JsonObject { ["id"] = m.Payload.UniqueId },
        },
        ToAmi = m => new AmiEvent("VarSet",
        [
            new("Uniqueid", m.Payload.UniqueId),
            new("Variable", m.Payload.Variable),
            new("Value", m.Payload.Value),
        ], "dialplan,all"),
    };

    private static bool Hidden(MessageSanitizer? sanitizer, string uniqueId) => sanitizer?.Hides(uniqueId) == true;

    private static JsonObject Channel(ChannelSnapshot snapshot) => new()
    {
        ["id"] = snapshot.UniqueId,
        ["name"] = snapshot.Name,
        ["state"] = snapshot.State.ToString(),
        ["caller"] = new JsonObject { ["number"] = snapshot.CallerNumber },
        ["dialplan"] = new JsonObject { ["exten"] = snapshot.Exten },
        ["creationtime"] = snapshot.CreationTime,
    };

    /// <summary>Asterisk's numbers of the channel states (<c>AST_STATE_*</c>), which AMI's <c>ChannelState</c> header carries.</summary>
    private static int AmiStateNumber(ChannelState state) => state switch
    {
        ChannelState.Down => 0,
        ChannelState.Ring => 4,
        ChannelState.Ringing => 5,
        ChannelState.Up => 6,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Not a channel state."),
    };
}
