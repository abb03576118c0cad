using System.Diagnostics;
using Stasis.Actors.Configuration;

namespace Stasis.Actors.Internal;

/// <summary>Stamps messages with their creation time, precisely or cheaply (<c>stasis.message-clock</c>).</summary>
internal abstract class MessageClock
{
    /// <summary>The current time as UTC ticks (what a message stores).</summary>
    public abstract long UtcTicks();

    /// <summary>
    /// The clock of <paramref name="kind"/>. Where the operating system's tick is coarser than
    /// <see cref="CoarseClock.MaxTickMilliseconds"/> (Windows' 15.6 ms), "coarse" gives the precise clock: a coarse stamp
    /// could then be more than 10 ms late.
    /// </summary>
    public static MessageClock For(MessageClockKind kind) =>
        kind == MessageClockKind.Precise || CoarseClock.TickMilliseconds > CoarseClock.MaxTickMilliseconds
            ? new PreciseClock()
            : new CoarseClock(1000, CoarseClock.TickMilliseconds);

    internal sealed class PreciseClock : MessageClock
    {
        public override long UtcTicks() => DateTime.UtcNow.Ticks;
    }

    /// <summary>
    /// The wall clock read once a second, advanced in between by the operating system's low-resolution monotonic tick
    /// (<see cref="Environment.TickCount64"/>, a few nanoseconds). On some virtual machines a precise wall-clock read
    /// costs as much as a whole actor <c>Tell</c>; this clock's stamps step by the tick's resolution (1–4 ms on Linux)
    /// and never go backwards.
    /// </summary>
    /// <remarks>
    /// Honest stamps: the tick lags real time by up to one tick period R, both when the anchor is taken and when a stamp
    /// is made, so "anchor + elapsed ticks" lies within R of the real time, either side. Each stamp is moved R + 1 ms
    /// later (the extra millisecond covers the drift of the wall clock against the tick within a second), so a stamp
    /// is never earlier than the call that made it and at most 2R + 1 ms later (9 ms with Linux's 4 ms tick).
    /// </remarks>
    internal sealed class CoarseClock(long resyncMilliseconds, long tickMilliseconds) : MessageClock
    {
        /// <summary>The coarsest tick this clock accepts: 2R + 1 ms must stay under 10 ms (Asterisk's bound for a stamp).</summary>
        public const long MaxTickMilliseconds = 4;

        private readonly long _lead = (tickMilliseconds + 1) * TimeSpan.TicksPerMillisecond;
        private Anchor _anchor = new(DateTimeOffset.UtcNow.UtcTicks, Environment.TickCount64);

        /// <summary>The step of <see cref="Environment.TickCount64"/> in this process, measured once (at most a few ticks of spinning).</summary>
        public static long TickMilliseconds { get; } = MeasureTick();

        /// <summary>How much later than the real time of the call a stamp may be: 2R + 1 ms.</summary>
        public long MaxLateMilliseconds => 2 * tickMilliseconds + 1;

        public override long UtcTicks()
        {
            // The anchor first, then the tick: a tick read before another thread installed a newer anchor would be
            // older than that anchor, and the stamp would go backwards.
            var anchor = Volatile.Read(ref _anchor);
            var tick = Environment.TickCount64;
            var elapsed = tick - anchor.Tick;
            if (elapsed >= resyncMilliseconds)
                return Resync(anchor, tick);
            return anchor.UtcTicks + elapsed * TimeSpan.TicksPerMillisecond + _lead;
        }

        /// <summary>The smallest of three observed steps of the tick (a thread descheduled while watching sees a larger one).</summary>
        private static long MeasureTick()
        {
            var smallest = long.MaxValue;
            for (var i = 0; i < 3; i++)
            {
                var start = Environment.TickCount64;
                long first;
                while ((first = Environment.TickCount64) == start)
                    Thread.SpinWait(16);
                long second;
                while ((second = Environment.TickCount64) == first)
                    Thread.SpinWait(16);
                smallest = Math.Min(smallest, second - first);
            }
            return smallest;
        }

        private long Resync(Anchor anchor, long tick)
        {
            // Never earlier than the latest stamp this anchor can have given (if the wall clock was set back, the clock
            // then runs on monotonic time until the wall clock catches up). A fresh anchor's stamp is the wall clock itself.
            var latestGiven = anchor.UtcTicks + (resyncMilliseconds - 1) * TimeSpan.TicksPerMillisecond + _lead;
            var next = new Anchor(Math.Max(DateTimeOffset.UtcNow.UtcTicks, latestGiven), tick);
            Interlocked.CompareExchange(ref _anchor, next, anchor);
            return Volatile.Read(ref _anchor).UtcTicks;
        }

        [DebuggerDisplay("{UtcTicks} at {Tick}")]
        private sealed record Anchor(long UtcTicks, long Tick);
    }
}
