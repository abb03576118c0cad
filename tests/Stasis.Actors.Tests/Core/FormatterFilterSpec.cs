using System.Text.Json.Nodes;
using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Core;

/// <summary>
/// Formatter filters and filter modes, written from stasis.h (test_stasis.c's formatter_filters and combo_filters): a
/// message passes when neither filter is set, or its type is accepted, or its type has an accepted formatter; a
/// declined type never passes.
/// </summary>
public sealed class FormatterFilterSpec : StasisSpec
{
    private readonly MessageType<Pong> _none;
    private readonly MessageType<Pong> _json;
    private readonly MessageType<Pong> _ami;
    private readonly MessageType<Pong> _both;

    public FormatterFilterSpec(ITestOutputHelper output) : base(output)
    {
        _none = Bus.CreateMessageType<Pong>("type_none");
        _json = Bus.CreateMessageType("type_json", new MessageTypeFormatters<Pong> { ToJson = (m, _) => JsonValue.Create(m.Payload.Text) });
        _ami = Bus.CreateMessageType("type_ami", new MessageTypeFormatters<Pong> { ToAmi = m => new AmiEvent("Fake", [new("Message", m.Payload.Text)]) });
        _both = Bus.CreateMessageType("type_both", new MessageTypeFormatters<Pong>
        {
            ToJson = (m, _) => JsonValue.Create(m.Payload.Text),
            ToAmi = m => new AmiEvent("Fake", [new("Message", m.Payload.Text)]),
        });
    }

    [Fact]
    public async Task Formatter_filters_pass_exactly_the_types_with_an_accepted_formatter()
    {
        var topic = NewTopic();
        var json = Record(topic, new SubscriptionOptions { AcceptFormatters = MessageFormatters.Json });
        var ami = Record(topic, new SubscriptionOptions { AcceptFormatters = MessageFormatters.Ami });
        var either = Record(topic, new SubscriptionOptions { AcceptFormatters = MessageFormatters.Json | MessageFormatters.Ami });
        var all = Record(topic);

        await PublishEachTypeAndEnd(topic, json, ami, either, all);

        Assert.Equal(["type_json", "type_both"], TypesOf(json));
        Assert.Equal(["type_ami", "type_both"], TypesOf(ami));
        Assert.Equal(["type_json", "type_ami", "type_both"], TypesOf(either));
        Assert.Equal(["type_none", "type_json", "type_ami", "type_both"], TypesOf(all));
    }

    [Fact]
    public async Task Combined_filters_pass_accepted_types_or_formatter_matches_and_declines_win()
    {
        var topic = NewTopic();
        var combo = Record(topic, new SubscriptionOptions { AcceptOnly = [_none], AcceptFormatters = MessageFormatters.Ami });
        var declined = Record(topic, new SubscriptionOptions { AcceptFormatters = MessageFormatters.Json, Decline = [_both] });

        await PublishEachTypeAndEnd(topic, combo, declined);

        Assert.Equal(["type_none", "type_ami", "type_both"], TypesOf(combo));
        Assert.Equal(["type_json"], TypesOf(declined));
    }

    [Fact]
    public async Task Accepting_formatters_replaces_the_previous_ones_and_none_removes_the_formatter_filter()
    {
        var topic = NewTopic();
        var recorder = Record(topic);
        recorder.Subscription.AcceptFormatters(MessageFormatters.Json);
        recorder.Subscription.AcceptFormatters(MessageFormatters.Ami);
        Assert.Equal(MessageFormatters.Ami, recorder.Subscription.AcceptedFormatters);
        Publish(topic, "first");
        recorder.Subscription.AcceptFormatters(MessageFormatters.None);

        await PublishEachTypeAndEnd(topic, recorder);

        Assert.Equal(["type_ami", "type_both", "type_none", "type_json", "type_ami", "type_both"], TypesOf(recorder));
    }

    [Fact]
    public async Task A_type_made_after_subscribing_passes_a_formatter_filter_it_matches()
    {
        var topic = NewTopic();
        var recorder = Record(topic, new SubscriptionOptions { AcceptFormatters = MessageFormatters.Event });
        var stamps = Record(topic); // the topic's snapshot is built before the new type exists
        topic.Publish(_none, new Pong("before"));

        var late = Bus.CreateMessageType("type_event", new MessageTypeFormatters<Pong> { ToEvent = m => new StasisEvent("E", [new("Text", m.Payload.Text)]) });
        topic.Publish(late, new Pong("after"));
        await EndAll(recorder, stamps);

        Assert.Equal(["type_event"], TypesOf(recorder));
        Assert.Equal(["type_none", "type_event"], TypesOf(stamps));
    }

    [Fact]
    public async Task Set_filter_default_goes_back_to_every_type_and_selective_keeps_only_accepted_types()
    {
        var topic = NewTopic();
        var recorder = Record(topic, new SubscriptionOptions { AcceptOnly = [_json], AcceptFormatters = MessageFormatters.Ami });
        Publish(topic, "selective");
        recorder.Subscription.SetFilter(SubscriptionFilter.Default);
        Publish(topic, "default");
        recorder.Subscription.AcceptMessageType(_none);
        recorder.Subscription.SetFilter(SubscriptionFilter.Selective);

        await PublishEachTypeAndEnd(topic, recorder);

        Assert.Equal(
            ["type_json", "type_ami", "type_both", "type_none", "type_json", "type_ami", "type_both", "type_none"],
            TypesOf(recorder));
        Assert.Equal(MessageFormatters.None, recorder.Subscription.AcceptedFormatters);
    }

    [Fact]
    public void Set_filter_rejects_an_undefined_mode()
    {
        var subscription = NewTopic().Subscribe((_, _, _) => { });

        Assert.Throws<ArgumentOutOfRangeException>(() => subscription.SetFilter((SubscriptionFilter)7));
    }

    private void Publish(Topic topic, string text)
    {
        foreach (var type in new[] { _none, _json, _ami, _both })
            topic.Publish(type, new Pong(text));
    }

    private async Task PublishEachTypeAndEnd(Topic topic, params Recorder[] recorders)
    {
        Publish(topic, "last");
        await EndAll(recorders);
    }

    private async Task EndAll(params Recorder[] recorders)
    {
        foreach (var recorder in recorders)
            await Await(recorder.Subscription.UnsubscribeAndJoinAsync());
    }

    private static List<string> TypesOf(Recorder recorder) =>
        [.. recorder.Messages.Where(m => m.Data is Pong).Select(m => m.Type.Name)];
}
