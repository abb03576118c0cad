using Akka.Actor;
using Akka.Configuration;

namespace Stasis.Actors.Configuration;

/// <summary>What <c>stasis.subscription.failure-policy</c> does when a handler throws.</summary>
public enum FailurePolicy
{
    /// <summary>Skip the failed message and go on with the next one (the default).</summary>
    Resume,

    /// <summary>
    /// Restart the subscription's actor, keeping its mailbox, and go on with the next message. The new incarnation gets
    /// a new handler from a handler factory (<c>Topic.Subscribe(Func&lt;SubscriptionHandler&gt;)</c>); a plain callback
    /// is its own state, so for it a restart goes on like <see cref="Resume"/>.
    /// </summary>
    Restart,

    /// <summary>Unsubscribe: the subscription leaves the topic, its already queued messages are delivered, then its final message.</summary>
    Stop,
}

/// <summary>How messages are stamped with their creation time (<c>stasis.message-clock</c>).</summary>
public enum MessageClockKind
{
    /// <summary>
    /// The wall clock read once a second and advanced by the system's low-resolution monotonic tick: a few nanoseconds
    /// per message, in steps of the tick's resolution (1–4 ms on Linux), never going backwards. The default.
    /// </summary>
    Coarse,

    /// <summary><see cref="DateTimeOffset.UtcNow"/> for every message: sub-microsecond resolution, 20–130 ns per read.</summary>
    Precise,
}

/// <summary>
/// The bus's settings, read once from the <c>stasis { }</c> section of the actor system's configuration
/// (defaults: <c>hocon/stasis.conf</c>, embedded in this library). Immutable; change with the <c>with</c> expression.
/// </summary>
/// <param name="Eid">The local node's entity id.</param>
/// <param name="DeclinedMessageTypes">Names of the message types this node declines.</param>
/// <param name="HighWaterMark">Queue length at which a subscription is reported congested.</param>
/// <param name="LowWaterMark">Queue length at which a congested subscription is reported recovered.</param>
/// <param name="FailurePolicy">What happens when a handler throws.</param>
/// <param name="Dispatcher">Dispatcher of subscription actors; null for the system's default.</param>
/// <param name="MessageClock">How messages are stamped with their creation time.</param>
public sealed record StasisSettings(
    EntityId Eid,
    IReadOnlySet<string> DeclinedMessageTypes,
    int HighWaterMark,
    int LowWaterMark,
    FailurePolicy FailurePolicy,
    string? Dispatcher,
    MessageClockKind MessageClock)
{
    /// <summary>
    /// The number of pool actors that run pooled subscriptions (<c>stasis.subscription.pool.size</c>; 0 there means the
    /// number of processors).
    /// </summary>
    public int PoolSize { get; init; } = Environment.ProcessorCount;

    /// <summary>The embedded reference configuration (<c>hocon/stasis.conf</c>).</summary>
    public static Config DefaultConfig { get; } = ConfigurationFactory.FromResource<StasisSettings>("Stasis.Actors.stasis.conf");

    /// <summary>Reads the settings of <paramref name="system"/>, falling back to the embedded defaults.</summary>
    public static StasisSettings Create(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return Create(system.Settings.Config);
    }

    /// <summary>Reads the settings from <paramref name="config"/>, falling back to the embedded defaults.</summary>
    /// <exception cref="ConfigurationException">A key holds a value outside its documented range.</exception>
    public static StasisSettings Create(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var stasis = config.WithFallback(DefaultConfig).GetConfig("stasis");

        var eidText = stasis.GetString("eid", "");
        var eid = string.IsNullOrWhiteSpace(eidText) ? EntityId.NewRandom() : new EntityId(eidText.Trim());

        var high = stasis.GetInt("subscription.high-water-mark");
        if (high <= 0)
            throw new ConfigurationException($"stasis.subscription.high-water-mark must be positive, was {high}.");
        var low = stasis.GetInt("subscription.low-water-mark");
        if (low < 0 || low >= high)
            throw new ConfigurationException($"stasis.subscription.low-water-mark must be 0 (90% of high) or between 1 and high-water-mark - 1 ({high - 1}), was {low}.");
        if (low == 0)
            low = DefaultLowWaterMark(high);

        var policyText = stasis.GetString("subscription.failure-policy", "resume");
        if (!Enum.TryParse<FailurePolicy>(policyText, ignoreCase: true, out var policy) || !Enum.IsDefined(policy))
            throw new ConfigurationException($"stasis.subscription.failure-policy must be resume, restart or stop, was '{policyText}'.");

        var dispatcher = stasis.GetString("subscription.dispatcher", "");
        var declined = stasis.GetStringList("declined-message-types")
            .Select(s => s.Trim())
            .Where(s => s.Length > 0)
            .ToHashSet(StringComparer.Ordinal);

        var poolSize = stasis.GetInt("subscription.pool.size", 0);
        if (poolSize < 0)
            throw new ConfigurationException($"stasis.subscription.pool.size must be 0 (the number of processors) or positive, was {poolSize}.");

        var clockText = stasis.GetString("message-clock", "coarse");
        if (!Enum.TryParse<MessageClockKind>(clockText, ignoreCase: true, out var clock) || !Enum.IsDefined(clock))
            throw new ConfigurationException($"stasis.message-clock must be coarse or precise, was '{clockText}'.");

        return new StasisSettings(eid, declined, high, low, policy, string.IsNullOrWhiteSpace(dispatcher) ? null : dispatcher, clock)
        {
            PoolSize = poolSize == 0 ? Environment.ProcessorCount : poolSize,
        };
    }

    /// <summary>The low-water mark used when none is given: 90% of <paramref name="highWaterMark"/>, at least 1 below it.</summary>
    public static int DefaultLowWaterMark(int highWaterMark) => Math.Max(0, Math.Min(highWaterMark - 1, highWaterMark * 9 / 10));
}
