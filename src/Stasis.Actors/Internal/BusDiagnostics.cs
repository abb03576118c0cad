using Akka.Actor;
using Akka.Event;
using Stasis.Actors.Configuration;

namespace Stasis.Actors.Internal;

/// <summary>The bus's logging and bus-wide counters: one place for every event worth a log line.</summary>
internal sealed class BusDiagnostics
{
    private readonly ILoggingAdapter _log;
    private long _declinedPublishes;
    private long _publishedWhileShuttingDown;
    private long _handlerFailures;
    private int _congestedSubscriptions;

    public BusDiagnostics(ActorSystem system) => _log = Logging.GetLogger(system, "Stasis.Actors");

    public ILoggingAdapter Log => _log;

    public long DeclinedPublishes => Volatile.Read(ref _declinedPublishes);

    public long ShutdownPublishes => Volatile.Read(ref _publishedWhileShuttingDown);

    public long HandlerFailures => Volatile.Read(ref _handlerFailures);

    public int CongestedSubscriptions => Volatile.Read(ref _congestedSubscriptions);

    public void Declined(MessageType type)
    {
        Interlocked.Increment(ref _declinedPublishes);
        if (_log.IsDebugEnabled)
            _log.Debug("Message of declined type {0} not created (stasis.declined-message-types)", type.Name);
    }

    public void PublishedWhileShuttingDown(Topic topic)
    {
        Interlocked.Increment(ref _publishedWhileShuttingDown);
        if (_log.IsDebugEnabled)
            _log.Debug("Publish on topic {0} ignored: the bus is shutting down", topic.Name);
    }

    public void Congested(Subscription subscription, long depth)
    {
        Interlocked.Increment(ref _congestedSubscriptions);
        _log.Warning("Subscription {0} ({1}) on topic {2}: queue reached {3} messages (high-water mark {4})",
            subscription.Name, subscription.Id, subscription.Topic.Name, depth, subscription.HighWaterMark);
    }

    /// <summary>A congested subscription fell to its low-water mark (<paramref name="recovered"/>) or ended while congested.</summary>
    public void Recovered(Subscription subscription, bool recovered)
    {
        Interlocked.Decrement(ref _congestedSubscriptions);
        if (!recovered)
        {
            _log.Info("Subscription {0} ({1}) on topic {2} ended while congested", subscription.Name, subscription.Id, subscription.Topic.Name);
            return;
        }
        _log.Info("Subscription {0} ({1}) on topic {2}: queue back to {3} messages (low-water mark {4})",
            subscription.Name, subscription.Id, subscription.Topic.Name, subscription.QueueDepth, subscription.LowWaterMark);
    }

    public void HandlerFailed(Topic topic, SubscriptionHandlerException? failure, Exception exception, FailurePolicy policy)
    {
        Interlocked.Increment(ref _handlerFailures);
        if (failure is null)
        {
            _log.Error(exception, "A subscription actor of topic {0} failed outside its handler; failure policy {1}", topic.Name, policy);
            return;
        }
        var subscription = failure.Subscription;
        _log.Error(failure.InnerException, "Handler of subscription {0} ({1}) on topic {2} threw on a {3} message; failure policy {4}",
            subscription.Name, subscription.Id, topic.Name, failure.Envelope.Message.Type.Name, policy);
    }

    public void FinalHandlerFailed(Subscription subscription, Exception exception)
    {
        Interlocked.Increment(ref _handlerFailures);
        _log.Error(exception, "Handler of subscription {0} ({1}) on topic {2} threw on its final message",
            subscription.Name, subscription.Id, subscription.Topic.Name);
    }
}
