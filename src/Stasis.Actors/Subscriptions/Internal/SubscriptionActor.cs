using System.Diagnostics;
using Akka.Actor;
using Akka.Dispatch;

namespace Stasis.Actors.Internal;

/// <summary>A publish-sync delivery: the handler runs, then <see cref="Done"/> completes (false if it never runs).</summary>
internal sealed record SyncDelivery(StasisEnvelope Envelope, TaskCompletionSource<bool> Done, TracedDelivery? Traced = null);

/// <summary>
/// The actor behind a <see cref="Subscription"/>. Publishers tell it each delivery (a <see cref="StasisMessage"/> whose
/// sender is the <see cref="TopicSender"/> of the topic it was published to); its mailbox (<see cref="SubscriptionQueue"/>)
/// keeps them in publish order and Akka runs them one at a time, a dispatcher's throughput per turn. A child of its
/// topic's actor, which applies the failure policy.
/// </summary>
/// <remarks>
/// <para>An async handler's task is awaited with <see cref="ActorTaskScheduler.RunTask(Func{Task})"/>: the mailbox is
/// suspended until it completes, so the next message waits, and a failure after an <c>await</c> reaches the supervisor.</para>
/// <para>The final message: <see cref="Subscription.Unsubscribe"/> tells a <see cref="PoisonPill"/> behind every delivery
/// queued before it, and <see cref="PostStop"/> delivers the final message, so it is last whatever ended the actor.</para>
/// </remarks>
internal sealed class SubscriptionActor : ActorBase
{
    private readonly Subscription _subscription;
    private readonly Handler _handler;
    private readonly HandlerCounters _counters;
    private Activity? _activity; // the current handler call's, while a traced delivery is handled

    public SubscriptionActor(Subscription subscription)
    {
        _subscription = subscription;
        _handler = subscription.NextHandler(); // a handler factory makes a new one for each incarnation (restart)
        _counters = subscription.AttachCounters();
    }

    public static Props Props(Subscription subscription, string? dispatcher)
    {
        var props = Akka.Actor.Props.CreateBy(new Producer(subscription)).WithMailbox(SubscriptionMailbox.ConfigPath);
        return dispatcher is null ? props : props.WithDispatcher(dispatcher);
    }

    /// <summary>
    /// Told once the subscription has joined its topic: only then is its actor subscriber watched, so a subscriber
    /// that is already dead ends a subscription that has joined (and was announced), never one that has not yet.
    /// </summary>
    public sealed class WatchTarget
    {
        public static readonly WatchTarget Instance = new();

        private WatchTarget()
        {
        }
    }

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case StasisMessage delivery:
                Handle(OriginOf(Sender), delivery, null);
                return true;
            case TracedDelivery traced:
                HandleTraced(OriginOf(Sender), traced.Message, null, traced);
                return true;
            case SyncDelivery { Traced: null } sync:
                Handle(sync.Envelope.Topic, sync.Envelope.Message, sync.Done);
                return true;
            case SyncDelivery sync:
                HandleTraced(sync.Envelope.Topic, sync.Envelope.Message, sync.Done, sync.Traced);
                return true;
            case WatchTarget when _handler.Target is { } target:
                Context.Watch(target); // kept by the actor's cell across restarts
                return true;
            case Terminated terminated when terminated.ActorRef.Equals(_handler.Target):
                // An actor subscriber that stops without unsubscribing must not stay in the topic's subscriber set.
                _subscription.Unsubscribe();
                return true;
            default:
                return false;
        }
    }

    /// <summary>The topic a delivery was published to: its sender's (see <see cref="TopicSender"/>), else the subscribed one.</summary>
    private Topic OriginOf(IActorRef? sender) => (sender as TopicSender)?.Topic ?? _subscription.Topic;

    /// <summary>
    /// Handles a delivery of a traced publish inside a child activity, which ends when the handler (or its task) does.
    /// The dispatcher thread's current activity is restored on return: an awaited handler keeps its own copy.
    /// </summary>
    private void HandleTraced(Topic topic, StasisMessage message, TaskCompletionSource<bool>? done, TracedDelivery traced)
    {
        var previous = Activity.Current;
        _activity = Tracing.StartHandle(_subscription, topic, message, traced.Parent);
        try
        {
            Handle(topic, message, done);
        }
        finally
        {
            Activity.Current = previous;
        }
    }

    private void Handle(Topic topic, StasisMessage message, TaskCompletionSource<bool>? done)
    {
        var start = _counters.StartTiming();
        ValueTask pending;
        try
        {
            pending = _handler.Invoke(_subscription, topic, message);
            if (pending.IsCompleted)
            {
                pending.GetAwaiter().GetResult(); // throws what a faulted handler task holds
                Handled(start, done);
                return;
            }
        }
        catch (Exception ex)
        {
            throw Failed(start, topic, message, done, ex);
        }
        AwaitLater(pending, start, topic, message, done);
    }

    /// <summary>
    /// Suspends the mailbox until the handler's task completed. A method of its own: a lambda capturing
    /// <see cref="Handle"/>'s parameters would make C# allocate its closure on every call, awaited or not.
    /// </summary>
    private void AwaitLater(ValueTask pending, long start, Topic topic, StasisMessage message, TaskCompletionSource<bool>? done) =>
        ActorTaskScheduler.RunTask(() => AwaitHandler(pending, start, topic, message, done));

    /// <summary>Runs on the actor's task scheduler: the continuation after the handler's task runs as the actor.</summary>
    private async Task AwaitHandler(ValueTask pending, long start, Topic topic, StasisMessage message, TaskCompletionSource<bool>? done)
    {
        try
        {
            await pending;
        }
        catch (Exception ex)
        {
            throw Failed(start, topic, message, done, ex);
        }
        Handled(start, done);
    }

    private void Handled(long start, TaskCompletionSource<bool>? done)
    {
        EndActivity(null);
        _counters.Count(_subscription, start, failed: false);
        _subscription.CheckRecovered();
        done?.TrySetResult(true);
    }

    /// <summary>Counts a failed call and wraps its exception for the supervisor (the topic's actor).</summary>
    private SubscriptionHandlerException Failed(long start, Topic topic, StasisMessage message, TaskCompletionSource<bool>? done, Exception ex)
    {
        EndActivity(ex);
        _counters.Count(_subscription, start, failed: true);
        _subscription.CheckRecovered();
        var failure = new SubscriptionHandlerException(_subscription, new StasisEnvelope(topic, message), ex);
        done?.TrySetException(failure);
        return failure;
    }

    private void EndActivity(Exception? failure)
    {
        if (_activity is not { } activity)
            return;
        _activity = null;
        Tracing.End(activity, failure);
    }

    // A restart keeps the subscription going: PostStop (and so the final message) must not run.
    protected override void PreRestart(Exception reason, object message)
    {
    }

    /// <summary>
    /// Whatever stopped the actor (the final message's PoisonPill, the failure policy, the topic's destruction, the actor
    /// system's shutdown), the final message is delivered once, last. Deliveries still queued are handled first: those
    /// whose publisher read the topic's subscriptions just before the unsubscription, so they queued behind the
    /// PoisonPill. The supervisor cannot act on a stopped actor: their failures are counted and logged (as "resume").
    /// </summary>
    protected override void PostStop()
    {
        if (_subscription.Stopped() is not { } final)
            return;
        var tail = DeliverTail(final);
        if (tail.IsCompleted)
            _subscription.Finish();
        else
            tail.ContinueWith(static (_, s) => ((Subscription)s!).Finish(), _subscription, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Delivers what is left in the mailbox, then the final message; completes at once for handlers that do not await.</summary>
    private async Task DeliverTail(StasisMessage final)
    {
        while (_subscription.Queue.TryDequeue(out var envelope))
        {
            var (topic, message, done) = envelope.Message switch
            {
                StasisMessage m => (OriginOf(envelope.Sender), m, null),
                TracedDelivery t => (OriginOf(envelope.Sender), t.Message, null),
                SyncDelivery s => (s.Envelope.Topic, s.Envelope.Message, s.Done),
                _ => default((Topic, StasisMessage, TaskCompletionSource<bool>?)),
            };
            if (message is null)
                continue;
            var start = _counters.StartTiming();
            try
            {
                await _handler.Invoke(_subscription, topic, message);
                Handled(start, done);
            }
            catch (Exception ex)
            {
                var failure = Failed(start, topic, message, done, ex);
                _subscription.Topic.Bus.Diagnostics.HandlerFailed(_subscription.Topic, failure, failure, Configuration.FailurePolicy.Resume);
            }
        }
        _subscription.MarkDone();
        try
        {
            await _handler.Invoke(_subscription, _subscription.Topic, final);
        }
        catch (Exception ex)
        {
            _subscription.Topic.Bus.Diagnostics.FinalHandlerFailed(_subscription, ex);
        }
    }

    private sealed class Producer(Subscription subscription) : IIndirectActorProducer
    {
        public Type ActorType => typeof(SubscriptionActor);

        public ActorBase Produce() => new SubscriptionActor(subscription);

        public void Release(ActorBase actor)
        {
        }
    }
}
