using Akka.Actor;
using Stasis.Actors.Configuration;

namespace Stasis.Actors.Internal;

/// <summary>
/// The actor of a <see cref="Topic"/>: parent and supervisor of its subscriptions' actors. A failing handler never
/// reaches the topic: <c>stasis.subscription.failure-policy</c> decides what happens to that one subscription.
/// On <see cref="Stop"/> (topic destruction) it waits for its subscriptions to deliver their final messages, then stops.
/// </summary>
internal sealed class TopicActor : ActorBase
{
    private readonly Topic _topic;
    private readonly HashSet<IActorRef> _ending = [];

    public TopicActor(Topic topic) => _topic = topic;

    public static Props Props(Topic topic) => Akka.Actor.Props.Create(() => new TopicActor(topic));

    /// <summary>Tells a destroyed topic's actor to stop once every subscription actor has stopped.</summary>
    public sealed class Stop
    {
        public static readonly Stop Instance = new();

        private Stop()
        {
        }
    }

    protected override SupervisorStrategy SupervisorStrategy()
    {
        var bus = _topic.Bus;
        var policy = bus.Settings.FailurePolicy;
        return new OneForOneStrategy(-1, -1, ex =>
        {
            var failure = ex as SubscriptionHandlerException;
            var directive = Decide(policy, failure);
            bus.Diagnostics.HandlerFailed(_topic, failure, ex, policy);
            return directive;
        }, loggingEnabled: false);
    }

    /// <summary>
    /// The directive for a failed subscription actor. The failed message is never retried (no directive re-delivers it),
    /// so a message that always fails cannot loop. "stop" unsubscribes instead of stopping the actor: an Akka stop would
    /// send the messages still queued to dead letters, while unsubscribing delivers them, in order, before the final message.
    /// </summary>
    internal static Directive Decide(FailurePolicy policy, SubscriptionHandlerException? failure)
    {
        switch (policy)
        {
            case FailurePolicy.Restart:
                return Directive.Restart;
            case FailurePolicy.Stop when failure is not null:
                failure.Subscription.Unsubscribe();
                return Directive.Resume;
            case FailurePolicy.Stop:
                return Directive.Stop; // the actor itself failed, not its handler: stopping it still delivers the final message
            default:
                return Directive.Resume;
        }
    }

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case Stop:
                foreach (var child in Context.GetChildren())
                {
                    Context.Watch(child);
                    _ending.Add(child);
                }
                StopWhenDone();
                return true;
            case Terminated terminated:
                _ending.Remove(terminated.ActorRef);
                StopWhenDone();
                return true;
            default:
                return false;
        }
    }

    private void StopWhenDone()
    {
        if (_ending.Count == 0)
            Context.Stop(Self);
    }
}
