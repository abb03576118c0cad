using Stasis.Actors.Internal;

namespace Stasis.Actors;

/// <summary>
/// An explicit publisher of one managed state (Asterisk's <c>stasis_state_publisher</c>): the state lives at least as
/// long as the publisher. Made by <see cref="StasisStateManager.AddPublisher"/>; <see cref="Dispose"/> removes it.
/// </summary>
public sealed class StatePublisher : IDisposable
{
    private readonly StasisStateManager _manager;
    private readonly ManagedState _state;
    private int _disposed;

    internal StatePublisher(StasisStateManager manager, ManagedState state)
    {
        _manager = manager;
        _state = state;
    }

    /// <summary>The state's id.</summary>
    public string Id => _state.Id;

    /// <summary>The state's topic (<c>&lt;all&gt;/&lt;id&gt;</c>).</summary>
    public Topic Topic => _state.Topic;

    /// <summary>Makes <paramref name="message"/> the state's latest message and publishes it on <see cref="Topic"/>.</summary>
    /// <exception cref="ObjectDisposedException">The publisher was removed.</exception>
    public void Publish(StasisMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Volatile.Read(ref _disposed) == 1)
            throw new ObjectDisposedException(ToString(), $"The publisher of state '{Id}' of {_manager.All.Name} was removed.");
        _state.Publish(message);
    }

    /// <summary>Removes the publisher; the state goes when nothing else keeps it. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            _manager.Release(_state, publisher: true);
    }

    /// <inheritdoc />
    public override string ToString() => $"publisher of state {Id} of {_manager.All.Name}";
}
