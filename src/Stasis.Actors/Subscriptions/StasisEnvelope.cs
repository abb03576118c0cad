using Akka.Event;

namespace Stasis.Actors;

/// <summary>
/// What an actor subscriber (see <see cref="Topic.Subscribe(Akka.Actor.IActorRef, SubscriptionOptions?)"/>)
/// receives for each message: the message and the topic it was originally published to.
/// </summary>
/// <remarks>
/// The subscription's actor makes one envelope per delivery to its actor subscriber; the message inside is the one
/// instance every subscriber receives. <see cref="Topic"/> is the topic the message was published to, which differs
/// from the subscribed topic when the message arrived by forwarding.
/// </remarks>
/// <param name="Topic">The topic the message was originally published to.</param>
/// <param name="Message">The message.</param>
public sealed record StasisEnvelope(Topic Topic, StasisMessage Message) : IDeadLetterSuppression;
