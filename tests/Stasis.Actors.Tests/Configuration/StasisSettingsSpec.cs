using Akka.Configuration;
using Stasis.Actors.Configuration;

namespace Stasis.Actors.Tests.Configuration;

public sealed class StasisSettingsSpec
{
    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var settings = StasisSettings.Create(Config.Empty);
        Assert.Matches("^([0-9a-f]{2}:){5}[0-9a-f]{2}$", settings.Eid.Value);
        Assert.Empty(settings.DeclinedMessageTypes);
        Assert.Equal(500, settings.HighWaterMark);
        Assert.Equal(450, settings.LowWaterMark);
        Assert.Equal(FailurePolicy.Resume, settings.FailurePolicy);
        Assert.Null(settings.Dispatcher);
        Assert.Equal(MessageClockKind.Coarse, settings.MessageClock);
        Assert.Equal(Environment.ProcessorCount, settings.PoolSize);
    }

    [Fact]
    public void Every_key_can_be_overridden()
    {
        var settings = StasisSettings.Create(ConfigurationFactory.ParseString("""
            stasis.eid = "node-a"
            stasis.declined-message-types = ["a", "b"]
            stasis.subscription { high-water-mark = 10, low-water-mark = 3, failure-policy = stop, dispatcher = "my-dispatcher", pool.size = 7 }
            stasis.message-clock = precise
            """));
        Assert.Equal("node-a", settings.Eid.Value);
        Assert.Equal(["a", "b"], settings.DeclinedMessageTypes.Order());
        Assert.Equal(10, settings.HighWaterMark);
        Assert.Equal(3, settings.LowWaterMark);
        Assert.Equal(FailurePolicy.Stop, settings.FailurePolicy);
        Assert.Equal("my-dispatcher", settings.Dispatcher);
        Assert.Equal(MessageClockKind.Precise, settings.MessageClock);
        Assert.Equal(7, settings.PoolSize);
    }

    [Theory]
    [InlineData("stasis.subscription.high-water-mark = 0", "high-water-mark")]
    [InlineData("stasis.subscription.low-water-mark = 500", "low-water-mark")]
    [InlineData("stasis.subscription.low-water-mark = -1", "low-water-mark")]
    [InlineData("stasis.subscription.failure-policy = explode", "failure-policy")]
    [InlineData("stasis.message-clock = sundial", "message-clock")]
    [InlineData("stasis.subscription.pool.size = -1", "pool.size")]
    public void Out_of_range_values_fail_with_the_key_named(string hocon, string key)
    {
        var ex = Assert.Throws<ConfigurationException>(() => StasisSettings.Create(ConfigurationFactory.ParseString(hocon)));
        Assert.Contains(key, ex.Message);
    }
}
