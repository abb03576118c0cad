using System.Runtime.ExceptionServices;

namespace Stasis.Benchmarks.Workloads;

/// <summary>
/// Several workloads at once, each on a thread of its own: <see cref="Run"/> splits the messages evenly among the parts,
/// runs them concurrently and returns when every part is done, so a rate measured over it is the parts' combined rate.
/// Dedicated threads, not the thread pool: a part blocks while it waits for its receivers, and the receivers' actors
/// run on the pool. The threads are started per run; that costs well under a millisecond against a 60 ms sample.
/// </summary>
public sealed class ParallelWorkload : Workload
{
    private readonly Workload[] _parts;

    /// <param name="parts">The parts, all of the same <see cref="Workload.Fanout"/>; disposed with this workload.</param>
    public ParallelWorkload(IEnumerable<Workload> parts)
    {
        _parts = [.. parts];
        if (_parts.Length == 0 || _parts.Any(p => p.Fanout != _parts[0].Fanout))
            throw new ArgumentException("Give at least one part, all of the same fanout.", nameof(parts));
    }

    /// <summary>Runs <paramref name="count"/> workloads made by <paramref name="make"/> at once.</summary>
    public static ParallelWorkload Of(int count, Func<Workload> make) => new(Enumerable.Range(0, count).Select(_ => make()));

    public override int Fanout => _parts[0].Fanout;

    /// <summary>Sends <paramref name="messages"/> messages in all, an even share from each part's thread.</summary>
    public override void Run(int messages)
    {
        var failures = new Exception?[_parts.Length];
        var threads = new List<Thread>();
        for (var i = 0; i < _parts.Length; i++)
        {
            var share = messages / _parts.Length + (i < messages % _parts.Length ? 1 : 0);
            if (share == 0)
                continue; // a workload armed for no messages would wait for a signal that never comes
            var (part, index) = (_parts[i], i);
            threads.Add(new Thread(() =>
            {
                try
                {
                    part.Run(share);
                }
                catch (Exception ex)
                {
                    failures[index] = ex;
                }
            }) { IsBackground = true, Name = $"parallel-part-{i}" });
        }
        foreach (var thread in threads)
            thread.Start();
        foreach (var thread in threads)
            thread.Join();
        if (failures.FirstOrDefault(f => f is not null) is { } failure)
            ExceptionDispatchInfo.Capture(failure).Throw();
    }

    public override void Dispose()
    {
        foreach (var part in _parts)
            part.Dispose();
    }
}
