using Akka.Actor;

namespace Stasis.Actors.Internal;

/// <summary>The bus's root actor (<c>/system/stasis</c>): parent of the topic actors. It handles no messages.</summary>
internal sealed class BusRootActor : ActorBase
{
    protected override bool Receive(object message) => false;

    /// <summary>
    /// Makes a child of <paramref name="parent"/> from the calling thread. <c>Subscribe</c> and <c>CreateTopic</c> must
    /// return a working subscription or topic at once (a message published next must be delivered), so the child
    /// cannot wait for its parent to create it; the parent's children container is thread-safe (this is how the
    /// actor system itself makes top-level actors from any thread).
    /// </summary>
    public static IActorRef AttachChild(IActorRef parent, Props props, string name)
    {
        if (parent is ActorRefWithCell { Underlying: ActorCell cell })
            return cell.AttachChild(props, isSystemService: false, name);
        throw new InvalidOperationException($"Actor {parent.Path} is not a local actor; Stasis topics must live in the local actor system.");
    }
}
