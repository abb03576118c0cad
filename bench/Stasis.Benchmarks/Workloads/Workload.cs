namespace Stasis.Benchmarks.Workloads;

/// <summary>The small record message every case sends.</summary>
public sealed record Ping(int Seq);

/// <summary>
/// One throughput case: <see cref="Run"/> sends <c>messages</c> messages from the calling thread and returns once the
/// last delivery was handled. Shared by the BenchmarkDotNet suites and the quick mode, so both measure the same code.
/// </summary>
public abstract class Workload : IDisposable
{
    /// <summary>Deliveries per message sent (the number of receivers each message reaches).</summary>
    public abstract int Fanout { get; }

    /// <summary>Sends <paramref name="messages"/> messages and waits until every receiver handled all of them.</summary>
    public abstract void Run(int messages);

    public virtual void Dispose()
    {
    }
}

/// <summary>Signalled by each of a number of parties; <see cref="Wait"/> returns when all have signalled.</summary>
public sealed class Completion
{
    private readonly ManualResetEventSlim _done = new(false);
    private int _remaining;

    public void Arm(int parties)
    {
        _done.Reset();
        Volatile.Write(ref _remaining, parties);
    }

    public void Signal()
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
            _done.Set();
    }

    public void Wait()
    {
        if (!_done.Wait(TimeSpan.FromSeconds(60)))
            throw new TimeoutException($"A benchmark run did not complete: {Volatile.Read(ref _remaining)} parties never signalled.");
    }
}

/// <summary>
/// A receiver's message count, touched only by the receiver's own (serialized) handler: it signals the shared
/// <see cref="Completion"/> once when it reaches the armed target.
/// </summary>
public sealed class Counter(Completion completion)
{
    private int _count;
    private int _target;

    /// <summary>Called by the producer before it sends; the first send publishes these writes to the receiver.</summary>
    public void Arm(int target)
    {
        _count = 0;
        _target = target;
    }

    public void Hit()
    {
        if (++_count == _target)
            completion.Signal();
    }

    public static Counter[] Many(int n, Completion completion) => [.. Enumerable.Range(0, n).Select(_ => new Counter(completion))];
}

/// <summary>A workload with <c>n</c> receivers, each counting with its own <see cref="Counter"/>.</summary>
public abstract class CountingWorkload : Workload
{
    protected CountingWorkload(int receivers)
    {
        Counters = Counter.Many(receivers, Done);
    }

    protected Completion Done { get; } = new();

    protected Counter[] Counters { get; }

    public override int Fanout => Counters.Length;

    public sealed override void Run(int messages)
    {
        Done.Arm(Counters.Length);
        foreach (var counter in Counters)
            counter.Arm(messages);
        Send(messages);
        Done.Wait();
    }

    /// <summary>Sends the messages from the calling thread.</summary>
    protected abstract void Send(int messages);
}
