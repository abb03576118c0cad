using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Stasis.Host.Traffic;

/// <summary>Counters by name (e.g. per message type name). Thread-safe: any thread counts, any thread reads.</summary>
internal sealed class NamedCounters
{
    private readonly ConcurrentDictionary<string, StrongBox<long>> _counters = new(StringComparer.Ordinal);
    private long _total;

    /// <summary>All counters together.</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>A snapshot of every counter.</summary>
    public IReadOnlyDictionary<string, long> Values => _counters.ToDictionary(e => e.Key, e => Interlocked.Read(ref e.Value.Value));

    /// <summary>The counter <paramref name="name"/> (0 when never counted).</summary>
    public long this[string name] => _counters.TryGetValue(name, out var counter) ? Interlocked.Read(ref counter.Value) : 0;

    /// <summary>Counts one for <paramref name="name"/>.</summary>
    public void Increment(string name)
    {
        Interlocked.Increment(ref _counters.GetOrAdd(name, static _ => new StrongBox<long>()).Value);
        Interlocked.Increment(ref _total);
    }
}
