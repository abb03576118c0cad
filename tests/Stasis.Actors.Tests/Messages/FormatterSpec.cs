using System.Text.Json.Nodes;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Messages;

/// <summary>Message formatters, as stasis.h documents them and test_stasis.c's to_json, no_to_json, to_ami and no_to_ami cases check.</summary>
public sealed class FormatterSpec(ITestOutputHelper output) : StasisSpec(output)
{
    /// <summary>Formatters of the "fake" type: the payload's text as a JSON string and as an AMI event's Message header.</summary>
    private static readonly MessageTypeFormatters<Pong> JsonAndAmi = new()
    {
        ToJson = (m, sanitizer) => sanitizer?.Hides(m.Payload.Text) == true ? null : JsonValue.Create(m.Payload.Text),
        ToAmi = m => new AmiEvent("FakeMI", [new("Message", m.Payload.Text)], "test,all"),
    };

    [Fact]
    public void To_json_uses_the_types_formatter_and_the_sanitizer()
    {
        var type = Bus.CreateMessageType("fake_json_ami", JsonAndAmi);
        var message = type.CreateMessage(new Pong("SomeJson"))!;

        Assert.Equal("\"SomeJson\"", message.ToJson()!.ToJsonString());
        Assert.Null(message.ToJson(new MessageSanitizer { HideChannelId = id => id == "SomeJson" }));
        Assert.Equal(MessageFormatters.Json | MessageFormatters.Ami, type.AvailableFormatters);
    }

    [Fact]
    public void A_type_without_formatters_formats_nothing()
    {
        var message = PongType.CreateMessage(new Pong("plain"))!;

        Assert.Null(message.ToJson());
        Assert.Null(message.ToAmi());
        Assert.Null(message.ToEvent());
        Assert.False(message.CanBeAmi);
        Assert.Equal(MessageFormatters.None, PongType.AvailableFormatters);
    }

    [Fact]
    public void To_ami_gives_an_event_in_AMIs_wire_form()
    {
        var message = Bus.CreateMessageType("fake_json_ami", JsonAndAmi).CreateMessage(new Pong("SomeAmi"))!;

        var ami = message.ToAmi()!;

        Assert.True(message.CanBeAmi);
        Assert.Equal("FakeMI", ami.EventName);
        Assert.Equal("SomeAmi", ami["message"]);
        Assert.Equal("Event: FakeMI\r\nPrivilege: test,all\r\nMessage: SomeAmi\r\n\r\n", ami.ToWireFormat());
    }

    [Fact]
    public void A_json_only_type_is_not_ami()
    {
        var type = Bus.CreateMessageType("json_only", new MessageTypeFormatters<Pong> { ToJson = (m, _) => JsonValue.Create(m.Payload.Text) });
        var message = type.CreateMessage(new Pong("x"))!;

        Assert.False(message.CanBeAmi);
        Assert.Null(message.ToAmi());
        Assert.Equal(MessageFormatters.Json, type.AvailableFormatters);
    }

    [Fact]
    public void To_event_gives_the_fields_in_order()
    {
        var type = Bus.CreateMessageType("eventful", new MessageTypeFormatters<Ping>
        {
            ToEvent = m => new StasisEvent("Tick", [new("Publisher", m.Payload.Publisher), new("Seq", m.Payload.Seq)]),
        });

        var ev = type.CreateMessage(new Ping(3, 7))!.ToEvent()!;

        Assert.Equal("Tick", ev.EventType);
        Assert.Equal(["Publisher", "Seq"], ev.Fields.Select(f => f.Key));
        Assert.Equal(7, ev["Seq"]);
        Assert.Equal(MessageFormatters.Event, type.AvailableFormatters);
    }

    [Fact]
    public void A_formatter_may_decline_one_message()
    {
        var type = Bus.CreateMessageType("picky", new MessageTypeFormatters<Pong> { ToJson = (m, _) => m.Payload.Text == "skip" ? null : JsonValue.Create(1) });

        Assert.Null(type.CreateMessage(new Pong("skip"))!.ToJson());
        Assert.NotNull(type.CreateMessage(new Pong("keep"))!.ToJson());
        Assert.Equal(0, type.FormatterFailures);
    }

    [Fact]
    public void A_throwing_formatter_means_not_formattable_and_is_counted_and_logged_once()
    {
        var type = Bus.CreateMessageType("broken", new MessageTypeFormatters<Pong> { ToAmi = _ => throw new FormatException("bad header") });
        var message = type.CreateMessage(new Pong("x"))!;

        EventFilter.Error(contains: "broken").Expect(1, () =>
        {
            for (var i = 0; i < 5; i++)
                Assert.Null(message.ToAmi());
        });

        Assert.Equal(5, type.FormatterFailures);
        Assert.True(message.CanBeAmi); // the type has the formatter; this message just cannot be formatted
    }

    [Fact]
    public void Formatters_belong_to_the_type_made_first()
    {
        var type = Bus.CreateMessageType("declared", JsonAndAmi);

        Assert.Same(type, Bus.CreateMessageType<Pong>("declared"));
        Assert.Same(type, Bus.CreateMessageType("declared", JsonAndAmi));
        var error = Assert.Throws<ArgumentException>(() => Bus.CreateMessageType("declared", new MessageTypeFormatters<Pong> { ToJson = (_, _) => null }));
        Assert.Contains("'declared'", error.Message);
        Assert.Throws<ArgumentException>(() => Bus.CreateMessageType("test_pong", JsonAndAmi)); // made without formatters
    }

    [Theory]
    [InlineData("New\r\nchannel", "k", "v")]
    [InlineData("Newchannel", "Key: x", "v")]
    [InlineData("Newchannel", "Key", "a\r\nEvent: Forged")]
    [InlineData("", "k", "v")]
    public void An_ami_event_rejects_names_and_values_that_would_forge_headers(string name, string key, string value)
    {
        var error = Assert.Throws<ArgumentException>(() => new AmiEvent(name, [new(key, value)]));
        Assert.Contains("AMI", error.Message);
    }
}
