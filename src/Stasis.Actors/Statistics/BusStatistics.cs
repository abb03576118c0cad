namespace Stasis.Actors.Statistics;

/// <summary>
/// A snapshot of a bus's counters, made by <see cref="StasisBus.GetStatistics"/>: the equivalent of Asterisk's
/// <c>stasis show topics</c> and <c>stasis statistics</c>. The same numbers are published as metrics by the meter
/// <see cref="MeterName"/> (for OpenTelemetry or <c>dotnet-counters</c>).
/// </summary>
/// <remarks>
/// Topics and their subscriptions are read at one instant; counters are read one by one while publishers may be
/// running, so totals can be a few messages apart from the sum of their parts. Counters only grow, except queue depths.
/// Only live topics and subscriptions are listed; message types are listed for the bus's lifetime.
/// </remarks>
/// <param name="TakenAt">When the snapshot was made (UTC).</param>
/// <param name="IsShuttingDown">True once the actor system started shutting down.</param>
/// <param name="IsOverloaded">True while at least one subscription is above its high-water mark.</param>
/// <param name="Topics">Every live topic.</param>
/// <param name="Subscriptions">Every live subscription.</param>
/// <param name="MessageTypes">Every message type made on the bus.</param>
/// <param name="HandlerFailures">Handler calls that threw, on every subscription (ended ones included).</param>
/// <param name="DeclinedPublishes">Attempts to create or publish a message of a declined type.</param>
/// <param name="ShutdownPublishes">Publishes ignored because the bus was shutting down.</param>
/// <param name="CongestedSubscriptions">Subscriptions currently above their high-water mark.</param>
public sealed record BusStatistics(
    DateTimeOffset TakenAt,
    bool IsShuttingDown,
    bool IsOverloaded,
    IReadOnlyList<TopicStatistics> Topics,
    IReadOnlyList<SubscriptionStatistics> Subscriptions,
    IReadOnlyList<MessageTypeStatistics> MessageTypes,
    long HandlerFailures,
    long DeclinedPublishes,
    long ShutdownPublishes,
    int CongestedSubscriptions)
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> that publishes these numbers: <c>Stasis.Actors</c>.</summary>
    public const string MeterName = "Stasis.Actors";

    /// <summary>Messages published, of every type.</summary>
    public long Published => MessageTypes.Sum(t => t.Published);

    /// <summary>Messages published that reached no subscription, of every type.</summary>
    public long Unused => MessageTypes.Sum(t => t.Unused);

    /// <summary>Messages handled by the live subscriptions.</summary>
    public long Handled => Subscriptions.Sum(s => s.Handled);

    /// <summary>
    /// One readable line of totals, e.g. <c>bus statistics at 12:00:01.250: 3 topics, 2 subscriptions (0 congested),
    /// 4 message types; 120 published, 8 unused, 224 handled; 0 handler failures, 0 declined, 0 ignored at shutdown</c>.
    /// </summary>
    public override string ToString() =>
        FormattableString.Invariant(
            $"bus statistics at {TakenAt:HH:mm:ss.fff}: {Topics.Count} topics, {Subscriptions.Count} subscriptions ({CongestedSubscriptions} congested), {MessageTypes.Count} message types; ")
        + FormattableString.Invariant(
            $"{Published} published, {Unused} unused, {Handled} handled; {HandlerFailures} handler failures, {DeclinedPublishes} declined, {ShutdownPublishes} ignored at shutdown")
        + (IsShuttingDown ? "; shutting down" : "") + (IsOverloaded ? "; overloaded" : "");
}

/// <summary>One topic's line of <see cref="BusStatistics"/> (as <c>stasis show topics</c>).</summary>
/// <param name="Name">The topic's name.</param>
/// <param name="Id">The topic's unique id.</param>
/// <param name="Detail">The topic's description.</param>
/// <param name="SubscriberCount">Subscriptions made on this topic itself.</param>
/// <param name="ForwardsOut">Topics this one forwards to.</param>
/// <param name="ForwardsIn">Topics that forward to this one.</param>
/// <param name="Dispatched">Messages published here that reached at least one subscription.</param>
/// <param name="NotDispatched">Messages published here that reached none.</param>
public sealed record TopicStatistics(
    string Name,
    string Id,
    string Detail,
    int SubscriberCount,
    int ForwardsOut,
    int ForwardsIn,
    long Dispatched,
    long NotDispatched);

/// <summary>One subscription's line of <see cref="BusStatistics"/>.</summary>
/// <param name="Id">The subscription's unique id.</param>
/// <param name="Name">The subscription's name (its id when none was given).</param>
/// <param name="Topic">The name of the topic subscribed to.</param>
/// <param name="QueueDepth">Messages queued and not yet handled.</param>
/// <param name="Handled">Messages handled (change messages included, failed calls included).</param>
/// <param name="Failed">Handler calls that threw.</param>
/// <param name="Filtered">Messages held back by the subscription's filter.</param>
/// <param name="IsCongested">True while above the high-water mark and not yet back to the low one.</param>
/// <param name="HighWaterMark">The subscription's high-water mark.</param>
/// <param name="LowWaterMark">The subscription's low-water mark.</param>
/// <param name="HandlerTimeMin">Shortest handler call.</param>
/// <param name="HandlerTimeMax">Longest handler call.</param>
/// <param name="HandlerTimeMean">Mean handler call.</param>
public sealed record SubscriptionStatistics(
    string Id,
    string Name,
    string Topic,
    int QueueDepth,
    long Handled,
    long Failed,
    long Filtered,
    bool IsCongested,
    int HighWaterMark,
    int LowWaterMark,
    TimeSpan HandlerTimeMin,
    TimeSpan HandlerTimeMax,
    TimeSpan HandlerTimeMean);

/// <summary>One message type's line of <see cref="BusStatistics"/>.</summary>
/// <param name="Name">The type's name.</param>
/// <param name="IsDeclined">True when configuration declines the type.</param>
/// <param name="Published">Messages of this type published to a topic.</param>
/// <param name="Unused">Messages of this type published to a topic that reached no subscription.</param>
public sealed record MessageTypeStatistics(string Name, bool IsDeclined, long Published, long Unused);
