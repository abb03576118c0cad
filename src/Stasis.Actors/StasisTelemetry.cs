using Stasis.Actors.Statistics;

namespace Stasis.Actors;

/// <summary>
/// The names under which the bus reports to <c>System.Diagnostics</c> (and so to OpenTelemetry): the
/// <see cref="System.Diagnostics.ActivitySource"/> of its traces and the <see cref="System.Diagnostics.Metrics.Meter"/>
/// of its metrics, both <c>Stasis.Actors</c>.
/// </summary>
/// <remarks>
/// <para>Traces: each <c>Publish</c> starts a <c>publish {message type}</c> activity (kind Producer, a child of the
/// caller's current activity if any) and each handler call it causes is a <c>handle {message type}</c> activity (kind
/// Consumer, its child), tagged <see cref="TopicTag"/> (the topic the message was published to),
/// <see cref="MessageTypeTag"/>, <see cref="SubscriptionTag"/> (the subscription's name) and <c>messaging.system =
/// stasis</c>. A handler that throws marks its activity as an error. While nothing listens to the source, no activity
/// is made and a publish costs one check.</para>
/// </remarks>
public static class StasisTelemetry
{
    /// <summary>The name of the bus's <see cref="System.Diagnostics.ActivitySource"/>: <c>Stasis.Actors</c>.</summary>
    public const string ActivitySourceName = "Stasis.Actors";

    /// <summary>The name of the bus's meter: <c>Stasis.Actors</c> (the same as <see cref="BusStatistics.MeterName"/>).</summary>
    public const string MeterName = BusStatistics.MeterName;

    /// <summary>Activity tag: the topic a message was published to (<c>messaging.destination.name</c>).</summary>
    public const string TopicTag = "messaging.destination.name";

    /// <summary>Activity tag: the message type's name (<c>stasis.message_type</c>).</summary>
    public const string MessageTypeTag = "stasis.message_type";

    /// <summary>Activity tag: the name of the subscription whose handler ran (<c>stasis.subscription</c>).</summary>
    public const string SubscriptionTag = "stasis.subscription";
}
