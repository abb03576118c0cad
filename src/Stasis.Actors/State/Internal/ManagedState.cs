
namespace Stasis.Actors.Internal;

/// <summary>
/// One managed state: its topic (forwarding to the manager's all topic), its latest message, and who keeps it alive.
/// The counts and the implicit publishers change only under the manager's lock; the latest message is read lock-free.
/// </summary>
internal sealed class ManagedState(string id, Topic topic, TopicForward forward)
{
    private StasisMessage? _last;

    public string Id { get; } = id;

    public Topic Topic { get; } = topic;

    public TopicForward Forward { get; } = forward;

    public StasisMessage? Last => Volatile.Read(ref _last);

    /// <summary>Explicit subscribers (with or without a topic subscription).</summary>
    public int Subscribers { get; set; }

    /// <summary>Explicit publishers.</summary>
    public int Publishers { get; set; }

    /// <summary>Implicit publishers, by the EID they published with.</summary>
    public HashSet<EntityId> ImplicitPublishers { get; } = [];

    /// <summary>True once the state left the manager: its topic is destroyed.</summary>
    public bool IsRemoved { get; set; }

    public bool IsUnused => Subscribers == 0 && Publishers == 0 && ImplicitPublishers.Count == 0;

    /// <summary>Stores <paramref name="message"/> as the latest, then publishes it on the state's topic.</summary>
    public void Publish(StasisMessage message)
    {
        Volatile.Write(ref _last, message);
        Topic.Publish(message);
    }
}
