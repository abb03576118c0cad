using Akka.TestKit.Xunit2;
using Stasis.Actors;
using Stasis.Host.Configuration;
using Stasis.Host.Traffic;
using Xunit.Abstractions;

namespace Stasis.Host.Tests;

/// <summary>The channel types' AMI and JSON formatters, on the messages of a simulated call.</summary>
public sealed class ChannelFormattersSpec : TestKit
{
    private readonly ChannelTopics _channels;

    public ChannelFormattersSpec(ITestOutputHelper output) : base("akka.loglevel = WARNING", output: output)
    {
        _channels = ChannelTopics.Create(StasisBus.Get(Sys));
    }

    [Fact]
    public async Task A_calls_messages_read_as_Asterisks_AMI_events_and_ARI_style_JSON()
    {
        var ami = new List<AmiEvent>();
        var json = new List<string>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hangups = 0;
        // An AMI-style consumer: a formatter filter takes every AMI-formattable type and nothing else.
        var subscription = _channels.All.Subscribe((_, _, m) =>
        {
            if (m.ToAmi() is not { } ev)
                return;
            ami.Add(ev);
            json.Add(m.ToJson()!.ToJsonString());
            if (ev.EventName == "Hangup" && ++hangups == 2)
                done.TrySetResult();
        }, new SubscriptionOptions { AcceptFormatters = MessageFormatters.Ami });
        Sys.ActorOf(TrafficActor.Props(_channels, new TrafficSettings(20, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(10), "PJSIP"), new TrafficStats()));

        await done.Task.WaitAsync(Dilated(TimeSpan.FromSeconds(30)));
        await subscription.UnsubscribeAndJoinAsync();

        var caller = ami[0]["Uniqueid"]!;
        Assert.Equal("Newchannel", ami[0].EventName);
        Assert.Equal("call,all", ami[0].Privilege);
        Assert.Equal("0", ami[0]["ChannelState"]);
        Assert.Contains(ami, e => e.EventName == "Newstate" && e["Uniqueid"] == caller && e["ChannelStateDesc"] == "Up" && e["ChannelState"] == "6");
        Assert.Contains(ami, e => e.EventName == "DialBegin" && e["Uniqueid"] == caller && e["DialStatus"] is null);
        Assert.Contains(ami, e => e.EventName == "DialEnd" && e["Uniqueid"] == caller && e["DialStatus"] == "ANSWER");
        Assert.Contains(ami, e => e.EventName == "VarSet" && e["Variable"] == "CALLERID(num)");
        Assert.Contains(ami, e => e.EventName == "DTMFEnd" && e["Direction"] == "Received");
        var hangup = ami.First(e => e.EventName == "Hangup" && e["Uniqueid"] == caller);
        Assert.Equal("16", hangup["Cause"]);
        Assert.StartsWith("Event: Hangup\r\nPrivilege: call,all\r\nChannel: ", hangup.ToWireFormat());
        Assert.DoesNotContain(ami, e => e.EventName.Contains("Cache", StringComparison.Ordinal)); // cache clears have no AMI form
        Assert.Contains(json, j => j.Contains("\"type\":\"ChannelCreated\"") && j.Contains($"\"id\":\"{caller}\""));
        Assert.Contains(json, j => j.Contains("\"type\":\"ChannelDestroyed\"") && j.Contains("\"cause\":16"));
    }

    [Fact]
    public void The_json_of_a_channel_the_sanitizer_hides_is_null()
    {
        var snapshot = _channels.SnapshotType.CreateMessage(new ChannelSnapshot("1.1", "Local/x", ChannelState.Up, "100", "s", DateTimeOffset.UnixEpoch))!;
        var dial = _channels.DialType.CreateMessage(new ChannelDial("1.2", "1.1", "Local/x", ""))!;
        var hideLocal = new MessageSanitizer { HideChannelId = id => id == "1.1" };

        Assert.Null(snapshot.ToJson(hideLocal));
        Assert.Null(dial.ToJson(hideLocal));
        Assert.NotNull(snapshot.ToJson());
        Assert.Equal(MessageFormatters.Json | MessageFormatters.Ami, _channels.DtmfType.AvailableFormatters);
    }
}
