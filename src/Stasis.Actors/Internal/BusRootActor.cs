using System.Reflection;
using Akka.Actor;

namespace Stasis.Actors.Internal;

/// <summary>The bus's root actor (<c>/system/stasis</c>): parent of the topic actors. It handles no messages.</summary>
internal sealed class BusRootActor : ActorBase
{
    protected override bool Receive(object message) => false;

    /// <summary>
    /// <c>ActorCell.AttachChildWithAsync(props, isSystemService, isAsync: false, name)</c>: creates a child whose
    /// reference is a started <see cref="LocalActorRef"/> at once, so the child can itself be a parent straight away
    /// (the public <c>AttachChild</c> returns a reference whose cell starts later). Akka marks it internal (its TestKit
    /// uses it the same way), so it is bound once by reflection, for the pinned Akka version.
    /// </summary>
    private static readonly Func<ActorCell, Props, bool, bool, string, IActorRef> AttachSynchronously = BindAttach();

    private static Func<ActorCell, Props, bool, bool, string, IActorRef> BindAttach()
    {
        var method = typeof(ActorCell).GetMethod("AttachChildWithAsync", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic,
                         [typeof(Props), typeof(bool), typeof(bool), typeof(string)])
                     ?? throw new MissingMethodException($"Stasis.Actors needs ActorCell.AttachChildWithAsync (Akka {typeof(ActorCell).Assembly.GetName().Version} lacks it).");
        return method.CreateDelegate<Func<ActorCell, Props, bool, bool, string, IActorRef>>();
    }

    /// <summary>
    /// Makes a child of <paramref name="parent"/> from the calling thread. <c>Subscribe</c> and <c>CreateTopic</c> must
    /// return a working subscription or topic at once (a message published next must be delivered), so the child
    /// cannot wait for its parent to create it; the parent's children container is thread-safe (this is how the
    /// actor system itself makes top-level actors from any thread).
    /// </summary>
    public static IActorRef AttachChild(IActorRef parent, Props props, string name)
    {
        if (parent is ActorRefWithCell { Underlying: ActorCell cell })
            return AttachSynchronously(cell, props, false, false, name); // not a system service, not async
        throw new InvalidOperationException($"Actor {parent.Path} is not a started local actor; Stasis topics must live in the local actor system.");
    }
}
