using System.Runtime.InteropServices;

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
/// <see cref="Completion"/> once when it reaches the armed target. The count, written for every message, has a cache line
/// to itself, so where the garbage collector puts a counter cannot make one case or baseline slower than another (a line
/// shared with data the producer reads would travel between the cores on every message).
/// </summary>
public sealed class Counter(Completion completion)
{
    private Padded _cells;

    /// <summary>Called by the producer before it sends; the first send publishes these writes to the receiver.</summary>
    public void Arm(int target)
    {
        _cells.Count = 0;
        _cells.Target = target;
    }

    public void Hit()
    {
        if (++_cells.Count == _cells.Target)
            completion.Signal();
    }

    public static Counter[] Many(int n, Completion completion) => [.. Enumerable.Range(0, n).Select(_ => new Counter(completion))];

    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct Padded
    {
        [FieldOffset(56)]
        public int Count;

        [FieldOffset(60)]
        public int Target;
    }
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
