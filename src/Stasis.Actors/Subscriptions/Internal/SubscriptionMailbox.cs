using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace Stasis.Actors.Subscriptions.Internal;

/// <summary>
/// The mailbox of subscription actors (<c>stasis.subscription.mailbox</c>). Their messages travel in the subscription's
/// own queue (<see cref="SubscriptionQueue"/>); the mailbox carries only wake-ups and control messages (a few per
/// subscription: its <c>PoisonPill</c>, a watch, a wake-up when its queue turns busy), so it is a small locked queue
/// instead of Akka's default lock-free one, which reserves about a kilobyte per actor before its first message.
/// </summary>
internal sealed class SubscriptionMailbox(Settings settings, Config config) : MailboxType(settings, config), IProducesMessageQueue<ControlMessageQueue>
{
    /// <summary>The configuration path of this mailbox.</summary>
    public const string ConfigPath = "stasis.subscription.mailbox";

    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new ControlMessageQueue();
}

/// <summary>An unbounded FIFO queue behind a lock, for the few messages of a <see cref="SubscriptionMailbox"/>.</summary>
internal sealed class ControlMessageQueue : IMessageQueue, IUnboundedMessageQueueSemantics
{
    private readonly Queue<Envelope> _queue = new();
    private int _count;

    public bool HasMessages => Volatile.Read(ref _count) > 0;

    public int Count => Volatile.Read(ref _count);

    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        lock (_queue)
        {
            _queue.Enqueue(envelope);
            // A full fence: the sender next reads the mailbox's status to decide whether to schedule it, and a mailbox
            // going idle sets its status, then reads HasMessages; one of the two must see the other's write.
            Interlocked.Exchange(ref _count, _queue.Count);
        }
    }

    public bool TryDequeue(out Envelope envelope)
    {
        lock (_queue)
        {
            if (!_queue.TryDequeue(out envelope))
                return false;
            Volatile.Write(ref _count, _queue.Count);
            return true;
        }
    }

    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (TryDequeue(out var envelope))
            deadletters.Enqueue(owner, envelope);
    }
}
