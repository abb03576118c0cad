using System.Text.Json.Nodes;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Docs;

/// <summary>The payload of README's Formatters example.</summary>
public sealed record ChannelHangup(string UniqueId, int Cause);

/// <summary>README's "Formatters" example, run as written (the README block is this file's readme region).</summary>
public sealed class ReadmeFormattersSpec(ITestOutputHelper output) : StasisSpec(output)
{
    [Fact]
    public async Task The_readme_example_gives_ami_events_and_sanitized_json()
    {
        var bus = Bus;
        var topic = bus.CreateTopic("channel:all");

        // <readme:formatters>
        var hangupType = bus.CreateMessageType("channel_hangup", new MessageTypeFormatters<ChannelHangup>
        {
            ToJson = (message, sanitizer) => sanitizer?.Hides(message.Payload.UniqueId) == true ? null : new JsonObject
            {
                ["type"] = "ChannelDestroyed",
                ["channel"] = message.Payload.UniqueId,
                ["cause"] = message.Payload.Cause,
            },
            ToAmi = message => new AmiEvent("Hangup",
                [new("Uniqueid", message.Payload.UniqueId), new("Cause", message.Payload.Cause.ToString())], privilege: "call,all"),
        });

        // An AMI-style consumer: only messages whose type has an AMI formatter are queued for it.
        var ami = new List<string>();
        var amiFeed = topic.Subscribe((s, t, message) =>
        {
            if (message.ToAmi() is { } amiEvent) ami.Add(amiEvent.ToWireFormat());
        }, new SubscriptionOptions { AcceptFormatters = MessageFormatters.Ami });

        // An ARI-style consumer: JSON, without the channels it must not see.
        var hideLocal = new MessageSanitizer { HideChannelId = id => id.StartsWith("local-") };
        var json = new List<string>();
        var ariFeed = topic.Subscribe((s, t, message) =>
        {
            if (message.ToJson(hideLocal) is { } node) json.Add(node.ToJsonString());
        }, new SubscriptionOptions { AcceptFormatters = MessageFormatters.Json });

        topic.Publish(hangupType, new ChannelHangup("1234.5", 16));
        topic.Publish(hangupType, new ChannelHangup("local-1", 16));
        await amiFeed.UnsubscribeAndJoinAsync();
        await ariFeed.UnsubscribeAndJoinAsync();
        // ami[0]: "Event: Hangup\r\nPrivilege: call,all\r\nUniqueid: 1234.5\r\nCause: 16\r\n\r\n" (and one for local-1)
        // json:   ["{"type":"ChannelDestroyed","channel":"1234.5","cause":16}"]
        // </readme:formatters>

        Assert.Equal(["Event: Hangup\r\nPrivilege: call,all\r\nUniqueid: 1234.5\r\nCause: 16\r\n\r\n",
            "Event: Hangup\r\nPrivilege: call,all\r\nUniqueid: local-1\r\nCause: 16\r\n\r\n"], ami);
        Assert.Equal(["""{"type":"ChannelDestroyed","channel":"1234.5","cause":16}"""], json);
    }
}
