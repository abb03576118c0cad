using Stasis.Actors.Internal;

namespace Stasis.Actors;

/// <summary>
/// An explicit subscriber of one managed state (Asterisk's <c>stasis_state_subscriber</c>): the state lives at least as
/// long as the subscriber. Made by <see cref="StasisStateManager.Subscribe(string, SubscriptionHandler, SubscriptionOptions?)"/> (with a subscription to the state's
/// topic) or <see cref="StasisStateManager.AddSubscriber"/> (without). Ended by <see cref="Unsubscribe"/>,
/// <see cref="UnsubscribeAndJoinAsync"/> or disposing.
/// </summary>
public sealed class StateSubscriber : IDisposable, IAsyncDisposable
{
    private readonly StasisStateManager _manager;
    private readonly ManagedState _state;
    private int _ended;

    internal StateSubscriber(StasisStateManager manager, ManagedState state)
    {
        _manager = manager;
        _state = state;
    }

    /// <summary>The state's id.</summary>
    public string Id => _state.Id;

    /// <summary>The state's topic (<c>&lt;all&gt;/&lt;id&gt;</c>).</summary>
    public Topic Topic => _state.Topic;

    /// <summary>The subscription to <see cref="Topic"/>, or null for a subscriber made without one.</summary>
    public Subscription? Subscription { get; internal set; }

    /// <summary>The state's latest message (Asterisk's <c>stasis_state_subscriber_data</c>), or null before the first.</summary>
    public StasisMessage? LastMessage => _state.Last;

    /// <summary>True until the subscriber is ended.</summary>
    public bool IsSubscribed => Volatile.Read(ref _ended) == 0;

    /// <summary>
    /// Ends the subscription (its queued messages, then its final message, are still delivered) and removes the
    /// subscriber; the state goes when nothing else keeps it. Idempotent.
    /// </summary>
    public void Unsubscribe()
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
            return;
        Subscription?.Unsubscribe();
        _manager.Release(_state, publisher: false, this);
    }

    /// <summary><see cref="Unsubscribe"/>s, then completes once the subscription's final message was handled.</summary>
    /// <param name="cancellationToken">Cancels the wait (not the unsubscription).</param>
    public Task UnsubscribeAndJoinAsync(CancellationToken cancellationToken = default)
    {
        Unsubscribe();
        return Subscription?.JoinAsync(cancellationToken) ?? Task.CompletedTask;
    }

    /// <summary><see cref="Unsubscribe"/>s.</summary>
    public void Dispose() => Unsubscribe();

    /// <summary><see cref="UnsubscribeAndJoinAsync"/>.</summary>
    public ValueTask DisposeAsync() => new(UnsubscribeAndJoinAsync());

    /// <inheritdoc />
    public override string ToString() => $"subscriber of state {Id} of {_manager.All.Name}";
}
