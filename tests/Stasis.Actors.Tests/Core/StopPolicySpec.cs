using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Core;

public sealed class StopPolicySpec(ITestOutputHelper output) : StasisSpec(output, "stasis.subscription.failure-policy = stop")
{
    [Fact]
    public async Task PublishSync_queued_behind_a_failing_message_completes_false_when_the_subscription_stops()
    {
        var topic = NewTopic();
        var gate = new ManualResetEventSlim();
        var recorder = Record(topic, also: (_, _, m) =>
        {
            if (m.Data is Ping { Seq: 1 })
            {
                gate.Wait(Patience);
                throw new InvalidOperationException("boom");
            }
        });
        topic.Publish(Ping(1));
        var sync = topic.PublishSyncAsync(Ping(2), recorder.Subscription);
        gate.Set();
        Assert.False(await Await(sync));
        await Await(recorder.Subscription.JoinAsync());
        Assert.Equal(1, recorder.FinalCount);
        Assert.True(recorder.Subscription.IsFinalMessage(recorder.Messages[^1]));
        Assert.Equal(0, topic.SubscriberCount);
    }
}
