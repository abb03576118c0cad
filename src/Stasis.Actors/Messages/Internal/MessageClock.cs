using System.Diagnostics;
using Stasis.Actors.Configuration;

namespace Stasis.Actors.Messages.Internal;

/// <summary>Stamps messages with their creation time, precisely or cheaply (<c>stasis.message-clock</c>).</summary>
internal abstract class MessageClock
{
    /// <summary>The current time as UTC ticks (what a message stores).</summary>
    public abstract long UtcTicks();

    public static MessageClock For(MessageClockKind kind) => kind == MessageClockKind.Precise ? new PreciseClock() : new CoarseClock(1000);

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
    internal sealed class CoarseClock(long resyncMilliseconds) : MessageClock
    {
        private Anchor _anchor = new(DateTimeOffset.UtcNow.UtcTicks, Environment.TickCount64);

        public override long UtcTicks()
        {
            // The anchor first, then the tick: a tick read before another thread installed a newer anchor would be
            // older than that anchor, and the stamp would go backwards.
            var anchor = Volatile.Read(ref _anchor);
            var tick = Environment.TickCount64;
            var elapsed = tick - anchor.Tick;
            if (elapsed >= resyncMilliseconds)
                return Resync(anchor, tick);
            return anchor.UtcTicks + elapsed * TimeSpan.TicksPerMillisecond;
        }

        private long Resync(Anchor anchor, long tick)
        {
            // Never earlier than the latest stamp this anchor can have given (if the wall clock was set back, the clock
            // then runs on monotonic time until the wall clock catches up).
            var latestGiven = anchor.UtcTicks + (resyncMilliseconds - 1) * TimeSpan.TicksPerMillisecond;
            var next = new Anchor(Math.Max(DateTimeOffset.UtcNow.UtcTicks, latestGiven), tick);
            Interlocked.CompareExchange(ref _anchor, next, anchor);
            return Volatile.Read(ref _anchor).UtcTicks;
        }

        [DebuggerDisplay("{UtcTicks} at {Tick}")]
        private sealed record Anchor(long UtcTicks, long Tick);
    }
}
