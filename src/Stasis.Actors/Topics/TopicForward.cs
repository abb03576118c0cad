namespace Stasis.Actors;

/// <summary>
/// A forwarding made by <see cref="StasisBus.ForwardAll"/>: every message published on <see cref="From"/> also
/// reaches the subscribers of <see cref="To"/> (and of every topic <see cref="To"/> forwards to), reported with
/// the topic it was originally published to. <see cref="Cancel"/> (or <see cref="Dispose"/>) stops it.
/// </summary>
public sealed class TopicForward : IDisposable
{
    internal TopicForward(Topic from, Topic to)
    {
        From = from;
        To = to;
    }

    /// <summary>The topic whose messages are forwarded.</summary>
    public Topic From { get; }

    /// <summary>The topic they are forwarded to.</summary>
    public Topic To { get; }

    /// <summary>True until the forwarding is cancelled or one of its topics is destroyed.</summary>
    public bool IsActive { get; internal set; } = true;

    /// <summary>Stops the forwarding: messages published after this returns no longer reach <see cref="To"/>'s subscribers. Idempotent.</summary>
    public void Cancel() => From.Bus.Graph.RemoveForward(this);

    /// <summary>Same as <see cref="Cancel"/>.</summary>
    public void Dispose() => Cancel();

    /// <inheritdoc />
    public override string ToString() => $"{From.Name} -> {To.Name}";
}
