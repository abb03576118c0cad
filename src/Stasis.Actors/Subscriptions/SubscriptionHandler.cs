
namespace Stasis.Actors;

/// <summary>
/// A subscription's callback. Calls are ordered (in publish order) and serialized (the next call starts after this
/// one returned); the last call receives the subscription's final message (<see cref="Subscription.IsFinalMessage"/>).
/// </summary>
/// <param name="subscription">The subscription being dispatched.</param>
/// <param name="topic">The topic the message was originally published to (not always the subscribed one: forwarding).</param>
/// <param name="message">The message.</param>
public delegate void SubscriptionHandler(Subscription subscription, Topic topic, StasisMessage message);

/// <summary>
/// An asynchronous subscription callback: its task is awaited before the next message is handled, so calls stay
/// ordered and serialized (one call, awaits included, at a time); the final message is handled after the last task
/// completed. An <c>async</c> lambda given to <c>Topic.Subscribe</c> binds to this delegate. An exception, before or
/// after an <c>await</c>, goes through <c>stasis.subscription.failure-policy</c> like a synchronous one.
/// </summary>
/// <param name="subscription">The subscription being dispatched.</param>
/// <param name="topic">The topic the message was originally published to (not always the subscribed one: forwarding).</param>
/// <param name="message">The message.</param>
/// <returns>Completes when the message is handled.</returns>
public delegate ValueTask AsyncSubscriptionHandler(Subscription subscription, Topic topic, StasisMessage message);
