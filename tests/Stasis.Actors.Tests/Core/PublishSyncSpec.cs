using Stasis.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Stasis.Actors.Tests.Core;

public sealed class PublishSyncSpec(ITestOutputHelper output) : StasisSpec(output)
{
    [Fact]
    public async Task Sync_delivery_that_reaches_an_ended_subscription_completes_false()
    {
        // A publisher that read the subscriber snapshot just before Unsubscribe can queue behind the PoisonPill:
        // the delivery is then never handled, and the caller must still get an answer.
        var topic = NewTopic();
        var recorder = Record(topic);
        await Await(recorder.Subscription.UnsubscribeAndJoinAsync());
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        recorder.Subscription.EnqueueSync(new StasisEnvelope(topic, Ping(1)), done);
        Assert.False(await Await(done.Task));
        Assert.Equal(1, recorder.FinalCount);
    }
}
