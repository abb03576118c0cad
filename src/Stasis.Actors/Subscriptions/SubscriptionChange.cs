
namespace Stasis.Actors;

/// <summary>
/// The payload of the subscription-change messages a topic publishes when a subscription starts
/// (<see cref="SubscriptionChangeKind.Subscribe"/>) and ends (<see cref="SubscriptionChangeKind.Unsubscribe"/>).
/// Their type is <see cref="StasisBus.SubscriptionChangeType"/>.
/// </summary>
/// <remarks>
/// The subscription itself receives its own Subscribe change first and its own Unsubscribe change last (its
/// <em>final message</em>, see <see cref="Subscription.IsFinalMessage"/>); every other subscriber of the topic
/// sees both as ordinary messages. Filters never hold these messages back.
/// </remarks>
/// <param name="Topic">The topic subscribed to or unsubscribed from.</param>
/// <param name="SubscriptionId">The <see cref="Subscription.Id"/> of the subscription that changed.</param>
/// <param name="Kind">Whether the subscription started or ended.</param>
public sealed record SubscriptionChange(Topic Topic, string SubscriptionId, SubscriptionChangeKind Kind)
{
    /// <summary>Asterisk's description of the change: <c>"Subscribe"</c> or <c>"Unsubscribe"</c>.</summary>
    public string Description => Kind == SubscriptionChangeKind.Subscribe ? "Subscribe" : "Unsubscribe";

    /// <inheritdoc />
    public override string ToString() => $"{Description} {SubscriptionId} on {Topic.Name}";
}

/// <summary>What a <see cref="SubscriptionChange"/> reports.</summary>
public enum SubscriptionChangeKind
{
    /// <summary>The subscription started: the first message it receives.</summary>
    Subscribe,

    /// <summary>The subscription ended: the last message it receives.</summary>
    Unsubscribe,
}
