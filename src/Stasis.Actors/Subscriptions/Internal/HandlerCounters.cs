using System.Diagnostics;
using System.Runtime.InteropServices;
using Akka.Event;
using Stasis.Actors.Internal;

namespace Stasis.Actors.Internal;

/// <summary>
/// Counters written only by a subscription's actor (single writer; readers use volatile reads). <see cref="Handled"/>,
/// written for every message, has a cache line to itself: the garbage collector may compact this object next to data
/// a publisher reads for every message, and a line written by one core and read by another on every message travels
/// between them each time. The counters written once in 64 calls or on a failure fill the space before it.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 120)]
internal sealed class HandlerCounters
{
    [FieldOffset(0)]
    public long TicksMin = long.MaxValue;

    [FieldOffset(8)]
    public long TicksMax;

    [FieldOffset(16)]
    public long TicksTotal;

    [FieldOffset(24)]
    public long Timed;

    [FieldOffset(32)]
    public long Failed;

    [FieldOffset(56)]
    public long Handled;

    /// <summary>
    /// A start timestamp when this call is timed, else 0. Timing reads the clock twice, which on some machines costs as
    /// much as a delivery: every call is timed while a metrics listener records the handler-time histogram; otherwise
    /// the first call and then one call in 64 are.
    /// </summary>
    public long StartTiming() =>
        (Handled & 63) == 0 || BusMetrics.HandlerTimeListened ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Counts one handler call that started at <paramref name="start"/> (see <see cref="StartTiming"/>).</summary>
    public void Count(Subscription subscription, long start, bool failed)
    {
        if (start != 0)
            Record(subscription, Stopwatch.GetTimestamp() - start);
        if (failed)
            Volatile.Write(ref Failed, Failed + 1);
        Volatile.Write(ref Handled, Handled + 1);
    }

    private void Record(Subscription subscription, long ticks)
    {
        if (ticks < TicksMin)
            Volatile.Write(ref TicksMin, ticks);
        if (ticks > TicksMax)
            Volatile.Write(ref TicksMax, ticks);
        Volatile.Write(ref TicksTotal, TicksTotal + ticks);
        Volatile.Write(ref Timed, Timed + 1);
        try
        {
            BusMetrics.RecordHandlerTime(subscription, ticks); // runs metrics listeners' callbacks: none of them may fail a delivery
        }
        catch (Exception ex)
        {
            subscription.Topic.Bus.Diagnostics.Log.Debug("A metrics listener failed recording handler time of {0}: {1}", subscription, ex.Message);
        }
    }
}
