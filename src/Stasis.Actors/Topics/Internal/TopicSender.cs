using Akka.Actor;

namespace Stasis.Actors.Internal;

/// <summary>
/// The sender of every delivery published to a <see cref="Topic"/>: it tells the receiving subscription actor
/// the topic a message was originally published to (which differs from the subscribed topic for forwarded messages)
/// without an envelope object per delivery. It is never sent anything itself (a <see cref="MinimalActorRef"/> drops
/// what it is told).
/// </summary>
internal sealed class TopicSender(Topic topic, ActorPath path, IActorRefProvider provider) : MinimalActorRef
{
    public Topic Topic { get; } = topic;

    public override ActorPath Path { get; } = path;

    public override IActorRefProvider Provider { get; } = provider;
}
