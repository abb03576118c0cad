namespace Stasis.Cluster.Benchmarks.Workloads;

/// <summary>
/// Counts the messages one receiver got over the whole run, and completes a task when the count reaches a total set by
/// <see cref="Expect"/> (rounds follow each other, so each round expects the previous total plus its own messages).
/// </summary>
/// <remarks>One receiver handles its messages one at a time (a subscription, an actor); the counter is still atomic,
/// and the same class is used by the Stasis path and the raw path, so both pay the same for it.</remarks>
public sealed class Arrivals
{
    private long _count;
    private long _target = long.MaxValue;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Count => Volatile.Read(ref _count);

    /// <summary>A task completed once <paramref name="total"/> messages have arrived in all.</summary>
    public Task Expect(long total)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _reached, reached); // written before the target: a receiver that sees the target sees this task
        Volatile.Write(ref _target, total);
        if (Volatile.Read(ref _count) >= total)
            reached.TrySetResult();
        return reached.Task;
    }

    public void Arrived()
    {
        if (Interlocked.Increment(ref _count) == Volatile.Read(ref _target))
            Volatile.Read(ref _reached).TrySetResult();
    }
}
