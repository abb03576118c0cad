using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace Stasis.Actors.Internal;

/// <summary>
/// The mailbox type of subscription actors (<c>stasis.subscription.mailbox</c>): a <see cref="SubscriptionQueue"/>,
/// through which every delivery, control message and the final message's <c>PoisonPill</c> pass in one order.
/// </summary>
internal sealed class SubscriptionMailbox(Settings settings, Config config) : MailboxType(settings, config), IProducesMessageQueue<SubscriptionQueue>
{
    /// <summary>The configuration path of this mailbox.</summary>
    public const string ConfigPath = "stasis.subscription.mailbox";

    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new SubscriptionQueue();
}
