using Akka.Actor;

namespace Stasis.Actors.Internal;

/// <summary>The bus's root actor (<c>/system/stasis</c>): parent of the topic actors. It handles no messages.</summary>
internal sealed class BusRootActor : ActorBase
{
    protected override bool Receive(object message) => false;

    /// <summary>
    /// Makes a child of <paramref name="parent"/> from the calling thread, with Akka's public <see cref="ActorCell.ActorOf(Props, string)"/>
    /// on the parent's cell: the path <c>Context.ActorOf</c> takes, which returns a started <see cref="LocalActorRef"/>
    /// (mailbox made, so the child can be told messages and be a parent at once). <c>Subscribe</c> and <c>CreateTopic</c>
    /// must return a working subscription or topic (a message published next is delivered), so the child cannot wait
    /// for its parent to make it; a cell's children container is thread-safe, as the actor system's own
    /// <c>ActorOf</c> from any thread relies on.
    /// </summary>
    /// <exception cref="InvalidOperationException">The parent is stopping (Akka refuses new children then).</exception>
    public static LocalActorRef AttachChild(IActorRef parent, Props props, string name)
    {
        if (parent is LocalActorRef { Cell: { } cell })
            return (LocalActorRef)cell.ActorOf(props, name);
        throw new InvalidOperationException($"Actor {parent.Path} is not a local actor; Stasis topics must live in the local actor system.");
    }

    /// <summary>Makes the bus's root actor under the system guardian (see <see cref="AttachChild"/>).</summary>
    public static LocalActorRef Create(ExtendedActorSystem system) => AttachChild(system.SystemGuardian, Props.Create<BusRootActor>(), "stasis");
}
