using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Core;

public sealed class MessageSpec(ITestOutputHelper output) : StasisSpec(output, """
    stasis.eid = "00:11:22:33:44:55"
    stasis.message-clock = precise
    stasis.declined-message-types = ["declined_thing", "stasis_subscription_change_type"]
    """)
{
    [Fact]
    public void Message_type_name_is_bound_to_its_payload_type()
    {
        Assert.Same(PingType, Bus.CreateMessageType<Ping>("test_ping"));
        Assert.Equal(typeof(Ping), PingType.PayloadType);
        Assert.Same(PingType, Bus.GetMessageType("test_ping"));
        var ex = Assert.Throws<ArgumentException>(() => Bus.CreateMessageType<Pong>("test_ping"));
        Assert.Contains("test_ping", ex.Message);
    }

    [Fact]
    public void Message_carries_type_payload_timestamp_and_local_eid()
    {
        var before = DateTimeOffset.UtcNow;
        var message = Ping(7);
        Assert.Same(PingType, message.Type);
        Assert.Equal(new Ping(0, 7), message.Payload);
        Assert.Same(message.Payload, message.Data);
        Assert.InRange(message.Timestamp, before, DateTimeOffset.UtcNow);
        Assert.Equal(new EntityId("00:11:22:33:44:55"), message.Eid);
        Assert.True(message.IsLocal);
    }

    [Fact]
    public void Message_from_another_node_keeps_its_eid_and_is_not_local()
    {
        var remote = new EntityId("aa:bb:cc:dd:ee:ff");
        var message = PingType.CreateMessage(new Ping(1, 1), remote)!;
        Assert.Equal(remote, message.Eid);
        Assert.False(message.IsLocal);
    }

    [Fact]
    public void Declined_type_reports_declined_and_its_messages_are_never_delivered()
    {
        var before = Bus.Diagnostics.DeclinedPublishes;
        var declined = Bus.CreateMessageType<Pong>("declined_thing");
        Assert.True(declined.IsDeclined);
        Assert.False(PingType.IsDeclined);
        Assert.Null(declined.CreateMessage(new Pong("x")));

        var topic = NewTopic();
        var probe = CreateTestProbe();
        topic.Subscribe(probe);
        probe.ExpectMsg<StasisEnvelope>(); // its Subscribe change
        topic.Publish(declined, new Pong("never"));
        topic.Publish(PingType, new Ping(0, 1));
        Assert.Equal(new Ping(0, 1), probe.ExpectMsg<StasisEnvelope>().Message.Data);
        Assert.Equal(before + 2, Bus.Diagnostics.DeclinedPublishes); // CreateMessage above and the publish
    }

    [Fact]
    public void Subscription_change_type_cannot_be_declined()
    {
        Assert.False(Bus.SubscriptionChangeType.IsDeclined);
    }

    [Fact]
    public void Bad_names_and_payloads_get_clear_exceptions()
    {
        Assert.Throws<ArgumentNullException>(() => Bus.CreateMessageType<Ping>(null!));
        Assert.Throws<ArgumentException>(() => Bus.CreateMessageType<Ping>("  "));
        Assert.Throws<ArgumentNullException>(() => PingType.CreateMessage(null!));
        Assert.Throws<ArgumentException>(() => new EntityId(""));
    }

    [Fact]
    public void Random_eid_has_mac_form()
    {
        Assert.Matches("^([0-9a-f]{2}:){5}[0-9a-f]{2}$", EntityId.NewRandom().Value);
    }
}
