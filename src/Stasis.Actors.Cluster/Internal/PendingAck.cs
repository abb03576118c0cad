
namespace Stasis.Actors.Cluster.Internal;

/// <summary>
/// One outstanding acknowledged publish or subscriber probe: the EIDs that answered so far and those that left the
/// cluster meanwhile, and a task completed once the condition given to <see cref="Start"/> holds for them. Answers and
/// departures arrive on the directory actor (and may come before <see cref="Start"/>); the waiter reads <see cref="Answered"/>.
/// <c>onAnswer</c>, when given, sees each answer before the task can complete.
/// </summary>
internal sealed class PendingAck
{
    private readonly object _lock = new();
    private readonly HashSet<EntityId> _answered = [];
    private readonly HashSet<EntityId> _gone = [];
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<EntityId>? _onAnswer;
    private Func<IReadOnlySet<EntityId>, IReadOnlySet<EntityId>, bool>? _isComplete;

    public PendingAck(Action<EntityId>? onAnswer = null) => _onAnswer = onAnswer;

    public Task Task => _done.Task;

    public IReadOnlySet<EntityId> Answered
    {
        get
        {
            lock (_lock)
                return _answered.ToHashSet();
        }
    }

    /// <summary>Sets the condition (on the answered and the departed EIDs) and checks it at once.</summary>
    public void Start(Func<IReadOnlySet<EntityId>, IReadOnlySet<EntityId>, bool> isComplete)
    {
        lock (_lock)
            _isComplete = isComplete;
        Check();
    }

    public void Answer(EntityId eid)
    {
        _onAnswer?.Invoke(eid);
        lock (_lock)
            _answered.Add(eid);
        Check();
    }

    /// <summary>The node <paramref name="eid"/> left the cluster: it will never answer.</summary>
    public void Leave(EntityId eid)
    {
        lock (_lock)
            _gone.Add(eid);
        Check();
    }

    private void Check()
    {
        bool complete;
        lock (_lock)
            complete = _isComplete is { } isComplete && isComplete(_answered, _gone);
        if (complete)
            _done.TrySetResult();
    }
}
