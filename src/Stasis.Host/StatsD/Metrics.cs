using System.Collections.Concurrent;
using System.Globalization;

namespace Stasis.Host.StatsD;

/// <summary>
/// The metrics of a run: meters (counts), gauges (changed by deltas) and timers (milliseconds), in the StatsD model.
/// Totals are always kept, for the console; when a <see cref="StatsDClient"/> is given they are also sent as StatsD
/// lines on every <see cref="Flush"/>.
/// </summary>
/// <remarks>
/// <para>Lines sent: <c>name:N|c</c> (or <c>|m</c>) with the count since the last flush; <c>name:+N|g</c> or
/// <c>name:-N|g</c> with the gauge's net change since the last flush (nothing when it did not change); one
/// <c>name:V|ms</c> per timer value. Summing the lines gives the totals, as a StatsD server does.</para>
/// <para>Thread-safe and non-blocking for the recording methods; <see cref="Flush"/> is called from one timer.</para>
/// </remarks>
internal sealed class Metrics
{
    private readonly ConcurrentDictionary<string, Counter> _meters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Counter> _gauges = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TimerStats> _timers = new(StringComparer.Ordinal);
    private readonly StatsDClient? _client;
    private readonly string _prefix;
    private readonly string _meterSuffix;

    /// <summary>Creates the metrics; <paramref name="client"/> null keeps them for the console only.</summary>
    public Metrics(StatsDClient? client, string prefix, string meterType)
    {
        _client = client;
        _prefix = prefix.Length == 0 ? "" : prefix + ".";
        _meterSuffix = "|" + meterType;
    }

    /// <summary>The StatsD client, or null.</summary>
    public StatsDClient? Client => _client;

    /// <summary>Counts <paramref name="count"/> events of meter <paramref name="name"/>.</summary>
    public void Meter(string name, long count = 1) => Interlocked.Add(ref _meters.GetOrAdd(name, static _ => new Counter()).Total, count);

    /// <summary>Changes gauge <paramref name="name"/> by <paramref name="delta"/>.</summary>
    public void Gauge(string name, long delta) => Interlocked.Add(ref _gauges.GetOrAdd(name, static _ => new Counter()).Total, delta);

    /// <summary>Records one value of timer <paramref name="name"/>, in milliseconds; sent at once into the batch.</summary>
    public void Timer(string name, long milliseconds)
    {
        _timers.GetOrAdd(name, static _ => new TimerStats()).Add(milliseconds);
        _client?.Write(_prefix + name + ":" + milliseconds.ToString(CultureInfo.InvariantCulture) + "|ms");
    }

    /// <summary>Every meter's total.</summary>
    public IReadOnlyDictionary<string, long> Meters => _meters.ToDictionary(e => e.Key, e => Interlocked.Read(ref e.Value.Total));

    /// <summary>A gauge's current value (0 when never changed).</summary>
    public long GaugeValue(string name) => _gauges.TryGetValue(name, out var gauge) ? Interlocked.Read(ref gauge.Total) : 0;

    /// <summary>A timer's statistics, or null when it has no value.</summary>
    public TimerStats? TimerOf(string name) => _timers.GetValueOrDefault(name);

    /// <summary>Sends what changed since the last flush (no-op without a client).</summary>
    public void Flush()
    {
        if (_client is null)
            return;
        foreach (var (name, meter) in _meters)
        {
            if (meter.TakeDelta() is var count and not 0)
                _client.Write(_prefix + name + ":" + count.ToString(CultureInfo.InvariantCulture) + _meterSuffix);
        }
        foreach (var (name, gauge) in _gauges)
        {
            if (gauge.TakeDelta() is var delta and not 0)
                _client.Write(_prefix + name + ":" + delta.ToString("+0;-0", CultureInfo.InvariantCulture) + "|g");
        }
        _client.Flush();
    }

    private sealed class Counter
    {
        public long Total;
        private long _sent;

        /// <summary>The change since the previous call; overlapping flushes (timer callbacks may overlap) never send a change twice.</summary>
        public long TakeDelta()
        {
            var total = Interlocked.Read(ref Total);
            return total - Interlocked.Exchange(ref _sent, total);
        }
    }
}

/// <summary>Count, sum, minimum and maximum of a timer's values, plus a histogram for percentiles. Thread-safe.</summary>
internal sealed class TimerStats
{
    private readonly object _lock = new();
    private readonly LatencyHistogram _histogram = new();
    private long _count, _sum, _min = long.MaxValue, _max;

    /// <summary>Adds one value (ms).</summary>
    public void Add(long value)
    {
        lock (_lock)
        {
            _count++;
            _sum += value;
            _min = Math.Min(_min, value);
            _max = Math.Max(_max, value);
        }
        _histogram.Record(value);
    }

    /// <summary>Values recorded.</summary>
    public long Count { get { lock (_lock) return _count; } }

    /// <summary>Smallest value.</summary>
    public long Min { get { lock (_lock) return _count == 0 ? 0 : _min; } }

    /// <summary>Largest value.</summary>
    public long Max { get { lock (_lock) return _max; } }

    /// <summary>Mean value.</summary>
    public double Mean { get { lock (_lock) return _count == 0 ? 0 : (double)_sum / _count; } }

    /// <summary>The values' histogram.</summary>
    public LatencyHistogram Histogram => _histogram;
}

/// <summary>
/// A lock-free histogram of non-negative values in logarithmic buckets (4 per power of two, so a percentile is exact
/// to within 19%). Any unit: the host uses it for handler times in nanoseconds and call times in milliseconds.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int BucketsPerOctave = 4;
    private readonly long[] _buckets = new long[64 * BucketsPerOctave];
    private long _count;

    /// <summary>Values recorded.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Records <paramref name="value"/> (negative counts as 0).</summary>
    public void Record(long value)
    {
        Interlocked.Increment(ref _buckets[BucketOf(Math.Max(0, value))]);
        Interlocked.Increment(ref _count);
    }

    /// <summary>Adds every value of <paramref name="other"/>.</summary>
    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _buckets.Length; i++)
            Interlocked.Add(ref _buckets[i], Interlocked.Read(ref other._buckets[i]));
        Interlocked.Add(ref _count, other.Count);
    }

    /// <summary>The upper bound of the bucket holding the <paramref name="percentile"/>th value (0 when empty).</summary>
    public long Percentile(double percentile)
    {
        var total = Count;
        if (total == 0)
            return 0;
        var rank = (long)Math.Ceiling(total * Math.Clamp(percentile, 0, 100) / 100.0);
        long seen = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            seen += Interlocked.Read(ref _buckets[i]);
            if (seen >= Math.Max(1, rank))
                return UpperBound(i);
        }
        return UpperBound(_buckets.Length - 1);
    }

    private static int BucketOf(long value)
    {
        if (value < BucketsPerOctave)
            return (int)value;
        var octave = System.Numerics.BitOperations.Log2((ulong)value);
        var fraction = (int)((value >> (octave - 2)) & (BucketsPerOctave - 1));
        return octave * BucketsPerOctave + fraction;
    }

    private static long UpperBound(int bucket)
    {
        if (bucket < BucketsPerOctave)
            return bucket;
        var octave = bucket / BucketsPerOctave;
        var fraction = bucket % BucketsPerOctave;
        return ((long)(BucketsPerOctave + fraction + 1) << (octave - 2)) - 1;
    }
}
