using Stasis.Actors.Messages;
using Stasis.Actors.Topics;

namespace Stasis.Actors.Subscriptions;

/// <summary>
/// A subscription's callback. Calls are ordered (in publish order) and serialized (the next call starts after this
/// one returned); the last call receives the subscription's final message (<see cref="Subscription.IsFinalMessage"/>).
/// </summary>
/// <param name="subscription">The subscription being dispatched.</param>
/// <param name="topic">The topic the message was originally published to (not always the subscribed one: forwarding).</param>
/// <param name="message">The message.</param>
public delegate void SubscriptionHandler(Subscription subscription, Topic topic, StasisMessage message);
