
namespace Stasis.Actors.Cluster.Internal;

/// <summary>
/// One outstanding acknowledged publish or subscriber probe: the EIDs that answered so far, and a task completed once
/// <c>isComplete</c> holds for them. Answers arrive on the directory actor; the waiter reads <see cref="Answered"/>.
/// <c>onAnswer</c>, when given, sees each answer before the task can complete.
/// </summary>
internal sealed class PendingAck
{
    private readonly object _lock = new();
    private readonly HashSet<EntityId> _answered = [];
    private readonly Func<IReadOnlySet<EntityId>, bool> _isComplete;
    private readonly Action<EntityId>? _onAnswer;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PendingAck(Func<IReadOnlySet<EntityId>, bool> isComplete, Action<EntityId>? onAnswer = null)
    {
        _isComplete = isComplete;
        _onAnswer = onAnswer;
        Check();
    }

    public Task Task => _done.Task;

    public IReadOnlySet<EntityId> Answered
    {
        get
        {
            lock (_lock)
                return _answered.ToHashSet();
        }
    }

    public void Answer(EntityId eid)
    {
        _onAnswer?.Invoke(eid);
        lock (_lock)
            _answered.Add(eid);
        Check();
    }

    private void Check()
    {
        bool complete;
        lock (_lock)
            complete = _isComplete(_answered);
        if (complete)
            _done.TrySetResult();
    }
}
