
namespace Stasis.Actors;

/// <summary>
/// Optional settings of one subscription. Every property left null takes the bus's default from <c>stasis.subscription</c>.
/// </summary>
public sealed record SubscriptionOptions
{
    /// <summary>The options with every default.</summary>
    public static SubscriptionOptions Default { get; } = new();

    /// <summary>A name for logs and metrics (e.g. the owning module); the subscription id is used when null.</summary>
    public string? Name { get; init; }

    /// <summary>
    /// When set, the subscription receives only messages of these types (a selective filter), plus its own
    /// Subscribe and final Unsubscribe changes. Filtering happens before queueing.
    /// </summary>
    public IReadOnlyCollection<MessageType>? AcceptOnly { get; init; }

    /// <summary>Message types this subscription never receives. Filtering happens before queueing.</summary>
    public IReadOnlyCollection<MessageType>? Decline { get; init; }

    /// <summary>
    /// When set (and not <see cref="MessageFormatters.None"/>), messages whose type has one of these formatters pass the
    /// filter too: a message passes when its type is accepted (<see cref="AcceptOnly"/>) OR has an accepted formatter,
    /// and never when its type is declined. Without <see cref="AcceptOnly"/>, only formatter matches pass.
    /// </summary>
    public MessageFormatters? AcceptFormatters { get; init; }

    /// <summary>Queue length at which this subscription is reported congested; must be positive.</summary>
    public int? HighWaterMark { get; init; }

    /// <summary>Queue length at which a congested subscription is reported recovered; below <see cref="HighWaterMark"/>.</summary>
    public int? LowWaterMark { get; init; }

    /// <summary>The Akka dispatcher that runs the handler (e.g. a pinned one for blocking handlers).</summary>
    public string? Dispatcher { get; init; }

    /// <summary>
    /// Runs the subscription on one of the bus's pool actors (<c>stasis.subscription.pool.size</c> of them, shared by
    /// every pooled subscription) instead of an actor of its own: for topics with very many subscriptions, where a
    /// publish then costs one message per pool actor instead of one per subscription. Delivery stays ordered and
    /// serialized per subscription, the final message last. The trade: a pool actor runs its subscriptions' handlers
    /// one after another, so a slow handler delays the others of its pool actor, and <see cref="Subscription.QueueDepth"/>
    /// is the pool actor's. Only for synchronous callbacks (not async handlers or actor subscribers), without
    /// <see cref="Dispatcher"/>; a failure follows <c>stasis.subscription.failure-policy</c>.
    /// </summary>
    public bool Pooled { get; init; }
}
