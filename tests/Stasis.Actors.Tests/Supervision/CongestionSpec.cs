using Stasis.Actors.Tests.Support;

namespace Stasis.Actors.Tests.Supervision;

public sealed class CongestionSpec : TickSpec
{
    [Fact]
    public async Task Crossing_the_high_mark_warns_once_then_recovery_logs_info_and_nothing_is_dropped()
    {
        var topic = Bus.CreateTopic("congested", "slow consumer");
        var log = new SubscriberLog();
        var sub = topic.Subscribe(log.Handler(work: BlockOnFirstTick), new SubscriptionOptions { Name = "slowpoke", HighWaterMark = 16 });

        EventFilter.Warning(contains: "slowpoke").ExpectOne(() => PublishTicks(topic, 200));
        Assert.True(sub.IsCongested);
        Assert.True(Bus.IsOverloaded);
        Assert.Equal(1, Bus.GetStatistics().CongestedSubscriptions);

        EventFilter.Info(contains: "slowpoke").ExpectOne(() => Gate.Set());
        Eventually(() => !Bus.IsOverloaded);
        await sub.UnsubscribeAndJoinAsync().WaitAsync(Dilated(TimeSpan.FromSeconds(5)));
        Assert.Equal(Enumerable.Range(0, 200), log.Ticks.Select(t => t.Seq));
    }

    [Fact]
    public void Congestion_warning_names_topic_subscription_and_high_mark()
    {
        var topic = Bus.CreateTopic("named-congestion");
        topic.Subscribe((_, _, m) =>
        {
            if (m.Data is Tick { Seq: 0 })
                Gate.Wait();
        }, new SubscriptionOptions { Name = "reader", HighWaterMark = 32 });

        EventFilter.Custom(e => e is Akka.Event.Warning && e.Message.ToString() is { } text
                                && text.Contains("reader") && text.Contains("topic named-congestion") && text.Contains("high-water mark 32"))
            .ExpectOne(() => PublishTicks(topic, 64));
    }

    [Fact]
    public void Per_subscription_marks_override_the_defaults_and_low_defaults_to_90_percent()
    {
        var topic = Bus.CreateTopic("marks");
        var defaults = topic.Subscribe((_, _, _) => { });
        var ownHigh = topic.Subscribe((_, _, _) => { }, new SubscriptionOptions { HighWaterMark = 100 });
        var both = topic.Subscribe((_, _, _) => { }, new SubscriptionOptions { HighWaterMark = 100, LowWaterMark = 10 });

        Assert.Equal((500, 450), (defaults.HighWaterMark, defaults.LowWaterMark));
        Assert.Equal((100, 90), (ownHigh.HighWaterMark, ownHigh.LowWaterMark));
        Assert.Equal((100, 10), (both.HighWaterMark, both.LowWaterMark));
    }

    [Fact]
    public async Task Congestion_limits_changed_live_take_effect_on_the_next_publishes()
    {
        var topic = Bus.CreateTopic("live-marks");
        var sub = topic.Subscribe((_, _, m) =>
        {
            if (m.Data is Tick { Seq: 0 })
                Gate.Wait();
        }, new SubscriptionOptions { Name = "retuned" });
        PublishTicks(topic, 64);
        Assert.False(sub.IsCongested); // 64 queued, under the default high-water mark of 500

        sub.SetCongestionLimits(32);

        Assert.Equal((32, 28), (sub.HighWaterMark, sub.LowWaterMark));
        EventFilter.Warning(contains: "high-water mark 32").ExpectOne(() => PublishTicks(topic, 32, publisher: 1));
        Assert.True(sub.IsCongested);
        Gate.Set();
        Eventually(() => !sub.IsCongested);
        await sub.UnsubscribeAndJoinAsync().WaitAsync(Dilated(TimeSpan.FromSeconds(5)));
    }

    [Theory]
    [InlineData(0, null, "HighWaterMark")]
    [InlineData(10, 10, "LowWaterMark")]
    [InlineData(10, -1, "LowWaterMark")]
    public void Congestion_limits_out_of_range_are_rejected_naming_the_subscription(int high, int? low, string mark)
    {
        var sub = Bus.CreateTopic("bad-marks").Subscribe((_, _, _) => { }, new SubscriptionOptions { Name = "tuned", HighWaterMark = 100 });

        var error = Assert.Throws<ArgumentException>(() => sub.SetCongestionLimits(high, low));

        Assert.Contains(mark, error.Message);
        Assert.Contains("subscription tuned on topic bad-marks", error.Message);
        Assert.Equal((100, 90), (sub.HighWaterMark, sub.LowWaterMark));
    }
}

public sealed class CongestionHoconSpec() : TickSpec("stasis.subscription { high-water-mark = 40, low-water-mark = 4 }")
{
    [Fact]
    public void Water_marks_come_from_hocon_when_the_subscription_sets_none()
    {
        var sub = Bus.CreateTopic("hocon-marks").Subscribe((_, _, _) => { });
        Assert.Equal((40, 4), (sub.HighWaterMark, sub.LowWaterMark));
    }
}
