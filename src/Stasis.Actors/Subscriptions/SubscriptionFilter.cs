namespace Stasis.Actors;

/// <summary>The mode of a subscription's filter (Asterisk's <c>stasis_subscription_message_filter</c>): see <see cref="Subscription.SetFilter"/>.</summary>
public enum SubscriptionFilter
{
    /// <summary>Every message type is received.</summary>
    Default,

    /// <summary>Only accepted message types (and types with an accepted formatter) are received.</summary>
    Selective,
}
