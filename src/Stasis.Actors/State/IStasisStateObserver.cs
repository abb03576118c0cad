namespace Stasis.Actors;

/// <summary>
/// Told of subscribers coming and going on any state of a <see cref="StasisStateManager"/> (Asterisk's
/// <c>stasis_state_observer</c>). Both methods do nothing by default: implement the ones you need. They run on the thread
/// that subscribes or unsubscribes, after the change; one that throws is logged and does not undo the change.
/// </summary>
public interface IStasisStateObserver
{
    /// <summary>A subscriber was added to the state <paramref name="id"/>.</summary>
    void OnSubscribe(string id, StateSubscriber subscriber)
    {
    }

    /// <summary>A subscriber of the state <paramref name="id"/> was removed.</summary>
    void OnUnsubscribe(string id, StateSubscriber subscriber)
    {
    }
}
