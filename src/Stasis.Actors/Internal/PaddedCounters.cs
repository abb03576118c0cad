using System.Runtime.InteropServices;

namespace Stasis.Actors.Internal;

/// <summary>
/// Up to three exact counters written on every publish (a topic's, a message type's), built to cost the publisher as
/// little as a plain increment:
/// <list type="bullet">
/// <item>The first thread to count owns the counters: it adds to cells only it writes, without a locked instruction.
/// Every other thread adds to shared cells with <see cref="Interlocked"/>. A value is the sum of both cells, so it is
/// exact; the common case (a topic published from one thread) takes no locked instruction at all. Measured on a
/// two-core VM, the two locked increments of a publish (topic, message type) cost 7–13 ns, half of what creating the
/// message costs.</item>
/// <item>The cells sit on cache lines of their own: objects move next to each other when the garbage collector compacts
/// the heap, and a counter sharing a line with fields another core writes per message (a handler's counters, an actor's
/// state) makes that line travel between the cores on every message.</item>
/// </list>
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 2 * Padding + 56)]
internal struct PaddedCounters
{
    // 56 bytes either side of the 56 bytes of cells. Objects and this struct are 8-byte aligned and cache lines 64-byte
    // aligned, so a line holding a cell starts at most 56 bytes before it and ends at most 56 bytes after it: no data
    // outside the struct can share a line with a cell, wherever the object lands.
    private const int Padding = 56;

    [FieldOffset(Padding)]
    private int _owner; // managed thread id of the owning thread; 0 until the first count

    [FieldOffset(Padding + 8)]
    private long _own1;

    [FieldOffset(Padding + 16)]
    private long _own2;

    [FieldOffset(Padding + 24)]
    private long _own3;

    [FieldOffset(Padding + 32)]
    private long _shared1;

    [FieldOffset(Padding + 40)]
    private long _shared2;

    [FieldOffset(Padding + 48)]
    private long _shared3;

    /// <summary>Adds one to the first counter and returns the new value of the cell it went to (for sampling every n-th count).</summary>
    public long IncrementFirst() => Increment(ref _own1, ref _shared1);

    /// <summary>Adds one to the second counter.</summary>
    public void IncrementSecond() => Increment(ref _own2, ref _shared2);

    /// <summary>Adds one to the third counter.</summary>
    public void IncrementThird() => Increment(ref _own3, ref _shared3);

    public readonly long First => Volatile.Read(in _own1) + Volatile.Read(in _shared1);

    public readonly long Second => Volatile.Read(in _own2) + Volatile.Read(in _shared2);

    public readonly long Third => Volatile.Read(in _own3) + Volatile.Read(in _shared3);

    private long Increment(ref long own, ref long shared)
    {
        var thread = Environment.CurrentManagedThreadId;
        if (_owner == thread || (_owner == 0 && Interlocked.CompareExchange(ref _owner, thread, 0) == 0))
        {
            // Single writer: a plain add, published with a release write for readers on other threads.
            var next = own + 1;
            Volatile.Write(ref own, next);
            return next;
        }
        return Interlocked.Increment(ref shared);
    }
}
