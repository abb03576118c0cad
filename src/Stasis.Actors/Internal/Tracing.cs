using System.Diagnostics;

namespace Stasis.Actors.Internal;

/// <summary>
/// A delivery of a traced publish: the message and the publish activity's context, one object per publish shared by
/// every subscription it reaches. Untraced publishes send the bare message (see <see cref="Tracing"/>).
/// </summary>
internal sealed class TracedDelivery(StasisMessage message, ActivityContext parent)
{
    public StasisMessage Message { get; } = message;

    public ActivityContext Parent { get; } = parent;
}

/// <summary>The bus's activities (see <see cref="StasisTelemetry"/>).</summary>
internal static class Tracing
{
    public static readonly ActivitySource Source = new(StasisTelemetry.ActivitySourceName, typeof(Tracing).Assembly.GetName().Version?.ToString());

    /// <summary>Starts the activity of one publish, or returns null when no listener samples it.</summary>
    public static Activity? StartPublish(Topic topic, StasisMessage message)
    {
        var activity = Source.StartActivity("publish " + message.Type.Name, ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "stasis");
            activity.SetTag("messaging.operation.type", "send");
            activity.SetTag(StasisTelemetry.TopicTag, topic.Name);
            activity.SetTag(StasisTelemetry.MessageTypeTag, message.Type.Name);
        }
        return activity;
    }

    /// <summary>Starts the activity of one handler call caused by a traced publish, or returns null.</summary>
    public static Activity? StartHandle(Subscription subscription, Topic topic, StasisMessage message, ActivityContext parent)
    {
        var activity = Source.StartActivity("handle " + message.Type.Name, ActivityKind.Consumer, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "stasis");
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag(StasisTelemetry.TopicTag, topic.Name);
            activity.SetTag(StasisTelemetry.MessageTypeTag, message.Type.Name);
            activity.SetTag(StasisTelemetry.SubscriptionTag, subscription.Name);
        }
        return activity;
    }

    /// <summary>Ends a handler call's activity, as an error when <paramref name="failure"/> is set.</summary>
    public static void End(Activity activity, Exception? failure)
    {
        if (failure is not null)
            Fail(activity, failure);
        activity.Stop();
    }

    /// <summary>Marks a handler call's activity as failed.</summary>
    public static void Fail(Activity activity, Exception failure)
    {
        activity.SetStatus(ActivityStatusCode.Error, failure.Message);
        activity.SetTag("exception.type", failure.GetType().FullName);
        activity.SetTag("exception.message", failure.Message);
    }
}
