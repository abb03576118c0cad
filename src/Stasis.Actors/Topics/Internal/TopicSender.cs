using Akka.Actor;

namespace Stasis.Actors.Topics.Internal;

/// <summary>
/// Names the topic a forwarded message was published to, carried as the sender of the message's queueing on a
/// subscription reached through forwarding. Akka keeps a message and its sender together in the mailbox, so the original
/// topic travels with every delivery without an envelope object per publish. Never a real recipient: anything told to
/// it is dropped.
/// </summary>
internal sealed class TopicSender(Topic topic) : MinimalActorRef
{
    public Topic Topic { get; } = topic;

    public override ActorPath Path => Topic.Actor.Path;

    public override IActorRefProvider Provider => ((ExtendedActorSystem)Topic.Bus.System).Provider;
}
