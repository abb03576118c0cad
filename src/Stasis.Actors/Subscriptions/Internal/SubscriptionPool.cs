using Akka.Actor;

namespace Stasis.Actors.Internal;

/// <summary>
/// The actors that run pooled subscriptions (<see cref="SubscriptionOptions.Pooled"/>): <c>stasis.subscription.pool.size</c>
/// of them, made on the first pooled subscription, each owning the pooled subscriptions given to it in turn. A publish
/// tells each pool actor one <see cref="PooledSlice"/> naming the subscriptions of that actor it reaches (see
/// <see cref="Fanout.Pooled"/>), instead of one message per subscription.
/// </summary>
/// <remarks>
/// Every delivery to a pooled subscription (slices, single deliveries, its final message) goes through its one pool
/// actor's mailbox, told from the publishing thread: so, as for a subscription's own actor, it is ordered (publish
/// order, forwarded messages included) and serialized. Its final message is a <see cref="PooledEnd"/> told after it
/// left its topic's snapshot, so it follows every delivery told before; one told later (by a publisher that read the
/// snapshot just before) is dropped, as nothing may follow the final message.
/// </remarks>
internal sealed class SubscriptionPool(IActorRef root, int size)
{
    private readonly Lock _gate = new();
    private IActorRef[]? _actors;
    private int _next;

    /// <summary>The pool actor for a new pooled subscription: each in turn, made on first use.</summary>
    public LocalActorRef Assign()
    {
        var actors = Volatile.Read(ref _actors) ?? Create();
        var index = (int)((uint)Interlocked.Increment(ref _next) % (uint)actors.Length);
        return (LocalActorRef)actors[index];
    }

    private IActorRef[] Create()
    {
        lock (_gate)
        {
            if (_actors is { } made)
                return made;
            var props = Props.Create(() => new PoolActor()).WithMailbox(SubscriptionMailbox.ConfigPath);
            made = [.. Enumerable.Range(0, size).Select(i => (IActorRef)BusRootActor.AttachChild(root, props, $"pool-{i}"))];
            Volatile.Write(ref _actors, made);
            return made;
        }
    }
}

/// <summary>One publish to the pooled subscriptions of one pool actor that it reaches (all of <see cref="Subscriptions"/>, bar <see cref="Skip"/>).</summary>
internal sealed record PooledSlice(Subscription[] Subscriptions, StasisMessage Message, Topic Topic, TracedDelivery? Traced,
    Subscription? Skip = null, Subscription? SyncTarget = null, TaskCompletionSource<bool>? SyncDone = null);

/// <summary>One delivery to one pooled subscription (its Subscribe change, a change message, a filtered type, a publish-sync delivery).</summary>
internal sealed record PooledOne(Subscription Subscription, StasisMessage Message, Topic Topic, TracedDelivery? Traced, TaskCompletionSource<bool>? Done = null);

/// <summary>Ends a pooled subscription: its final message, after every delivery told before.</summary>
internal sealed record PooledEnd(Subscription Subscription);

/// <summary>
/// Runs the handlers of its pooled subscriptions, one call at a time, in its mailbox's order (see
/// <see cref="SubscriptionPool"/>). A handler's failure is handled by <see cref="Subscription.RunHere"/> (counted, logged,
/// then the failure policy for that subscription), so it never fails this actor or the other subscriptions.
/// </summary>
internal sealed class PoolActor : ActorBase
{
    protected override bool Receive(object message)
    {
        switch (message)
        {
            case PooledSlice slice:
                Run(slice);
                return true;
            case PooledOne one:
                one.Subscription.RunHere(one.Topic, one.Message, one.Done, one.Traced);
                return true;
            case PooledEnd end:
                end.Subscription.EndHere();
                return true;
            default:
                return false;
        }
    }

    private static void Run(PooledSlice slice)
    {
        var (message, topic, traced) = (slice.Message, slice.Topic, slice.Traced);
        foreach (var subscription in slice.Subscriptions)
        {
            if (ReferenceEquals(subscription, slice.Skip))
                continue;
            var done = ReferenceEquals(subscription, slice.SyncTarget) ? slice.SyncDone : null;
            if (subscription.Filter.Declined is { IsEmpty: false } declined && declined.Contains(message.Type))
            {
                subscription.CountFiltered();
                done?.TrySetResult(false); // it does not receive the message
                continue;
            }
            subscription.RunHere(topic, message, done, traced);
        }
    }
}
