namespace Stasis.Actors;

/// <summary>
/// Wraps an exception thrown by a subscription's handler, naming the topic, the subscription and the message type.
/// The subscription's supervisor applies <c>stasis.subscription.failure-policy</c> to it.
/// </summary>
public sealed class SubscriptionHandlerException : Exception
{
    internal SubscriptionHandlerException(Subscription subscription, StasisEnvelope envelope, Exception inner)
        : base($"Handler of subscription {subscription.Name} ({subscription.Id}) on topic {subscription.Topic.Name} failed on a {envelope.Message.Type.Name} message published to {envelope.Topic.Name}: {inner.Message}", inner)
    {
        Subscription = subscription;
        Envelope = envelope;
    }

    /// <summary>The subscription whose handler failed.</summary>
    public Subscription Subscription { get; }

    /// <summary>The message being handled, with the topic it was published to.</summary>
    public StasisEnvelope Envelope { get; }
}
