using System.Globalization;

namespace Stasis.Cluster.Soak;

/// <summary>
/// What one node saw of the other nodes' streams. Every node process numbers its beats 0, 1, 2, ... under its own EID
/// (a new random EID per process, so a restarted node is a new origin). docs/cluster.md promises order per (origin
/// node, topic) and exactly-once delivery, not delivery of everything: a stream may start late (subscriptions spread
/// by gossip) and messages sent while a path is down are not replayed. So a number not above the origin's last one is
/// a violation (a duplicate or a reorder); a jump forward is a gap, counted but allowed.
/// </summary>
public sealed class OrderChecker
{
    private readonly Dictionary<string, Stream> _streams = [];

    public long Checked { get; private set; }

    public long Violations { get; private set; }

    public long Gaps { get; private set; }

    /// <summary>The first violation, described; null while there is none.</summary>
    public string? FirstViolation { get; private set; }

    /// <summary>Beats received per origin EID.</summary>
    public IReadOnlyDictionary<string, long> Received => _streams.ToDictionary(p => p.Key, p => p.Value.Count);

    /// <summary>Checks beat <paramref name="seq"/> of <paramref name="origin"/> against the ones before it.</summary>
    public void Observe(string origin, long seq)
    {
        Checked++;
        if (!_streams.TryGetValue(origin, out var stream))
        {
            _streams[origin] = new Stream(seq, 1);
            return;
        }
        stream.Count++;
        if (seq <= stream.Last)
        {
            Violations++;
            FirstViolation ??= seq == stream.Last ? $"{origin} #{seq} received twice" : $"{origin} #{seq} received after #{stream.Last}";
            return;
        }
        Gaps += seq - stream.Last - 1;
        stream.Last = seq;
    }

    /// <summary>The node's report line (see <see cref="NodeReport"/>).</summary>
    public NodeReport Report(string eid) => new(eid, Checked, Violations, Gaps, FirstViolation, Received);

    private sealed class Stream(long last, long count)
    {
        public long Last { get; set; } = last;

        public long Count { get; set; } = count;
    }
}

/// <summary>
/// A node's answer to <c>report</c>, one line on its standard output:
/// <c>report EID CHECKED VIOLATIONS GAPS ORIGIN=COUNT,ORIGIN=COUNT [FIRST VIOLATION...]</c>.
/// </summary>
public sealed record NodeReport(string Eid, long Checked, long Violations, long Gaps, string? FirstViolation, IReadOnlyDictionary<string, long> Received)
{
    public const string Kind = "report";

    public string Format()
    {
        var received = Received.Count == 0 ? "-" : string.Join(',', Received.Select(p => $"{p.Key}={p.Value.ToString(CultureInfo.InvariantCulture)}"));
        return string.Create(CultureInfo.InvariantCulture, $"{Kind} {Eid} {Checked} {Violations} {Gaps} {received} {FirstViolation}").TrimEnd();
    }

    public static NodeReport Parse(string line)
    {
        var parts = line.Split(' ', 7);
        if (parts.Length < 6 || parts[0] != Kind)
            throw new FormatException($"not a report line: '{line}'");
        var received = parts[5] == "-"
            ? new Dictionary<string, long>()
            : parts[5].Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture));
        return new NodeReport(parts[1], long.Parse(parts[2], CultureInfo.InvariantCulture), long.Parse(parts[3], CultureInfo.InvariantCulture),
            long.Parse(parts[4], CultureInfo.InvariantCulture), parts.Length > 6 ? parts[6] : null, received);
    }
}

/// <summary>
/// The orchestrator's findings across nodes: a departed node's cache entries gone from every survivor within a bound,
/// and every live node still receiving from every other live node after each fault.
/// </summary>
public sealed class ClusterChecker
{
    private readonly List<string> _violations = [];

    public IReadOnlyList<string> Violations => _violations;

    /// <summary>The longest time a departed node's cache entries stayed on a survivor, per kind of departure.</summary>
    public Dictionary<string, TimeSpan> LongestPurge { get; } = [];

    /// <summary>
    /// Judges one departure: <paramref name="clearedAfter"/> holds, per survivor, when its cache was first seen without
    /// the departed EID (absent: never, within the wait). Each survivor must have cleared it within <paramref name="bound"/>.
    /// </summary>
    public void Departure(string kind, string departed, IReadOnlyCollection<string> survivors, IReadOnlyDictionary<string, TimeSpan> clearedAfter, TimeSpan bound)
    {
        foreach (var survivor in survivors)
        {
            if (!clearedAfter.TryGetValue(survivor, out var after))
            {
                _violations.Add($"{kind}: {survivor} still caches {departed}'s entries after {Seconds(bound)}");
                continue;
            }
            if (after > bound)
                _violations.Add($"{kind}: {survivor} cleared {departed}'s entries after {Seconds(after)}, bound {Seconds(bound)}");
            LongestPurge[kind] = LongestPurge.TryGetValue(kind, out var longest) && longest > after ? longest : after;
        }
    }

    /// <summary>
    /// Judges progress after a fault: every pair (observer, origin) of live nodes in <paramref name="pending"/> is one
    /// whose observer received nothing new from the origin, or whose cache lacks the origin's entry, within the wait.
    /// </summary>
    public void Progress(string after, IReadOnlyCollection<string> pending)
    {
        foreach (var pair in pending)
            _violations.Add($"after {after}: {pair}");
    }

    /// <summary>A node that stopped or hung when it should not have.</summary>
    public void Failure(string description) => _violations.Add(description);

    /// <summary>
    /// The pairs still waiting for progress: an observer must hold a larger count for the origin than at
    /// <paramref name="baseline"/> and cache the origin's snapshot.
    /// </summary>
    public static List<string> Pending(IReadOnlyDictionary<string, NodeReport> baseline, IReadOnlyDictionary<string, NodeReport> now,
        IReadOnlyDictionary<string, IReadOnlySet<string>> caches)
    {
        var pending = new List<string>();
        foreach (var (observer, report) in now)
        {
            foreach (var origin in now.Keys.Where(o => o != observer))
            {
                var before = baseline.TryGetValue(observer, out var b) && b.Received.TryGetValue(origin, out var n) ? n : 0;
                if (!report.Received.TryGetValue(origin, out var count) || count <= before)
                    pending.Add($"{observer} received nothing new from {origin}");
                if (!caches.TryGetValue(observer, out var cached) || !cached.Contains(origin))
                    pending.Add($"{observer} does not cache {origin}'s entry");
            }
        }
        return pending;
    }

    public static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
