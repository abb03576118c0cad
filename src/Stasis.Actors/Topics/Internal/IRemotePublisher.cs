
namespace Stasis.Actors.Internal;

/// <summary>
/// The hook through which Stasis.Actors.Cluster sends messages to other nodes. A publish on a topic whose snapshot
/// reaches clustered topics calls <see cref="Send"/> once, from the publishing thread, before the local dispatch,
/// for messages created on this node only. Messages received from other nodes are dispatched with
/// <see cref="Topic.DispatchRemote"/>, which never calls <see cref="Send"/>, so they are never sent back out.
/// </summary>
internal interface IRemotePublisher
{
    /// <summary>Sends <paramref name="message"/> to the other nodes' subscribers of each of <paramref name="clusteredTopics"/>.</summary>
    void Send(Topic[] clusteredTopics, StasisMessage message);

    /// <summary>A clustered topic was destroyed: stop receiving other nodes' messages for it (unless its name is clustered again).</summary>
    void Forget(Topic topic);
}
