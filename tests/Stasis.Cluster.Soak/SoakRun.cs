using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Stasis.Cluster.Soak;

/// <summary>How a run is shaped; see <see cref="Program"/> for the command line.</summary>
/// <param name="Faults">When given, exactly these faults in this order, in place of the seeded order and the duration.</param>
public sealed record SoakOptions(int Seed, int Nodes, TimeSpan Duration, int StableAfterSeconds, Plant Plant, IReadOnlyList<Fault>? Faults = null);

/// <summary>What the soak does to a node.</summary>
public enum Fault
{
    /// <summary><c>kill -9</c>, then a restart on the same port.</summary>
    Kill,

    /// <summary>A graceful stop (the node leaves the cluster), then a restart on the same port.</summary>
    Stop,

    /// <summary><c>SIGSTOP</c>, then <c>SIGCONT</c>.</summary>
    Pause,
}

/// <summary>
/// <c>run</c>: starts <see cref="SoakOptions.Nodes"/> node processes on 127.0.0.1 (node 0 is the seed and is never
/// faulted), then, while every node publishes, applies faults to the others in a seeded order: <c>kill -9</c>, a
/// graceful stop (each followed by a restart on the same port) and a pause (<c>SIGSTOP</c>, then <c>SIGCONT</c>).
/// After a departure every survivor's cache must lose the departed node's entries within stable-after + a margin;
/// after every fault every live node must receive again from every other and cache its entry; every node checks
/// order and duplicates itself (<see cref="OrderChecker"/>). Faults follow each other until the duration has passed
/// and each kind happened once (or, with <see cref="SoakOptions.Faults"/>, as listed).
/// </summary>
public sealed class SoakRun(SoakOptions options, TextWriter output)
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ProgressTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PauseFor = TimeSpan.FromSeconds(3);

    /// <summary>Beyond stable-after: failure detection (about 2.5 s here), the leader's downing and its gossip.</summary>
    private static readonly TimeSpan PurgeMargin = TimeSpan.FromSeconds(10);

    private readonly Random _random = new(options.Seed);
    private readonly ClusterChecker _checker = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<NodeProcess> _ended = [];
    private readonly Dictionary<Fault, int> _faults = Enum.GetValues<Fault>().ToDictionary(f => f, _ => 0);
    private NodeProcess[] _nodes = [];
    private int[] _ports = [];

    private TimeSpan PurgeBound => TimeSpan.FromSeconds(options.StableAfterSeconds) + PurgeMargin;

    public async Task<int> RunAsync()
    {
        Say($"soak: seed {options.Seed}, {options.Nodes} node processes, {ClusterChecker.Seconds(options.Duration)} of faults, " +
            $"stable-after {options.StableAfterSeconds} s, purge bound {ClusterChecker.Seconds(PurgeBound)}, plant {options.Plant}");
        try
        {
            _ports = Enumerable.Range(0, options.Nodes).Select(_ => FreePort()).ToArray();
            _nodes = new NodeProcess[options.Nodes];
            for (var i = 0; i < options.Nodes; i++)
                _nodes[i] = await StartAsync(i).ConfigureAwait(false);
            await ProgressAsync("start").ConfigureAwait(false);
            var faultsFrom = _clock.Elapsed;
            var order = options.Faults?.ToList() ?? [];
            for (var step = 0; options.Faults is null ? _clock.Elapsed - faultsFrom < options.Duration || step < 3 : order.Count > 0; step++)
            {
                if (order.Count == 0)
                    order = [.. Enum.GetValues<Fault>().OrderBy(_ => _random.Next())]; // every kind once per round
                var fault = order[0];
                order.RemoveAt(0);
                var victim = 1 + _random.Next(options.Nodes - 1);
                await Task.Delay(TimeSpan.FromMilliseconds(_random.Next(1000, 3000))).ConfigureAwait(false); // traffic between faults
                await (fault == Fault.Pause ? PauseAsync(victim) : DepartAsync(fault, victim)).ConfigureAwait(false);
            }
            var stopped = await Task.WhenAll(_nodes.Select(n => n.StopAsync(ProgressTimeout))).ConfigureAwait(false);
            foreach (var node in _nodes.Where((_, i) => !stopped[i]))
                _checker.Failure($"{node.Name} did not stop within {ClusterChecker.Seconds(ProgressTimeout)}");
        }
        catch (SoakException e)
        {
            _checker.Failure(e.Message);
        }
        finally
        {
            foreach (var node in _nodes.OfType<NodeProcess>())
                node.Dispose();
        }
        return Summary();
    }

    private async Task<NodeProcess> StartAsync(int index)
    {
        var incarnation = _ended.Count(n => n.Port == _ports[index]) + 1;
        var started = _clock.Elapsed;
        var node = await NodeProcess.StartAsync($"node{index}.{incarnation}", _ports[index], _ports[0], options.StableAfterSeconds, options.Plant, StartTimeout)
            .ConfigureAwait(false);
        Say($"# {At}: {node.Name} up on port {node.Port} as {node.Eid} after {ClusterChecker.Seconds(_clock.Elapsed - started)}");
        return node;
    }

    /// <summary><c>kill -9</c> or a graceful stop, the purge check on the survivors, and a restart on the same port.</summary>
    private async Task DepartAsync(Fault fault, int index)
    {
        var victim = _nodes[index];
        var kind = fault == Fault.Kill ? "kill -9" : "stop";
        await victim.ReportAsync(AnswerTimeout).ConfigureAwait(false); // its count, for the total
        var survivors = _nodes.Where(n => n != victim).ToList();
        var departed = Stopwatch.StartNew();
        if (fault == Fault.Kill)
            victim.Kill();
        else if (!await victim.StopAsync(ProgressTimeout).ConfigureAwait(false))
            _checker.Failure($"{victim.Name} did not stop within {ClusterChecker.Seconds(ProgressTimeout)}");
        _faults[fault]++;
        _ended.Add(victim);

        var cleared = new Dictionary<string, TimeSpan>();
        while (cleared.Count < survivors.Count && departed.Elapsed <= PurgeBound)
        {
            foreach (var survivor in survivors.Where(s => !cleared.ContainsKey(s.Eid)))
            {
                if (await survivor.CacheAsync(AnswerTimeout).ConfigureAwait(false) is { } eids && !eids.Contains(victim.Eid))
                    cleared[survivor.Eid] = departed.Elapsed;
            }
            await Task.Delay(200).ConfigureAwait(false);
        }
        _checker.Departure(kind, $"{victim.Name} ({victim.Eid})", [.. survivors.Select(s => s.Eid)], cleared, PurgeBound);
        var longest = cleared.Count == 0 ? "never" : ClusterChecker.Seconds(cleared.Values.Max());
        Say($"# {At}: {kind} {victim.Name}: its entries cleared on {cleared.Count}/{survivors.Count} survivors, the last after {longest}");
        _nodes[index] = await StartAsync(index).ConfigureAwait(false);
        await ProgressAsync($"{kind} of {victim.Name}").ConfigureAwait(false);
    }

    private async Task PauseAsync(int index)
    {
        var victim = _nodes[index];
        victim.Signal("STOP");
        await Task.Delay(PauseFor).ConfigureAwait(false);
        victim.Signal("CONT");
        _faults[Fault.Pause]++;
        Say($"# {At}: {victim.Name} paused for {ClusterChecker.Seconds(PauseFor)}");
        await ProgressAsync($"pause of {victim.Name}").ConfigureAwait(false);
    }

    /// <summary>Waits until every live node received something new from every other one and caches its entry.</summary>
    private async Task ProgressAsync(string after)
    {
        var waited = Stopwatch.StartNew();
        Dictionary<string, NodeReport>? baseline = null; // the first round's reports: progress is counted from them
        List<string> pending;
        while (true)
        {
            pending = [];
            var reports = new Dictionary<string, NodeReport>();
            var caches = new Dictionary<string, IReadOnlySet<string>>();
            foreach (var node in _nodes)
            {
                if (node.HasExited)
                    throw new SoakException($"after {after}: {node.Name} ({node.Eid}) exited with {node.ExitCode}; its last lines:{Environment.NewLine}{node.Log}");
                if (await node.ReportAsync(AnswerTimeout).ConfigureAwait(false) is { } report
                    && await node.CacheAsync(AnswerTimeout).ConfigureAwait(false) is { } cache)
                    (reports[node.Eid], caches[node.Eid]) = (report, cache);
                else
                    pending.Add($"{node.Name} ({node.Eid}) does not answer");
            }
            if (baseline is null)
            {
                baseline = reports;
                continue;
            }
            pending.AddRange(ClusterChecker.Pending(baseline, reports, caches));
            if (pending.Count == 0 || waited.Elapsed > ProgressTimeout)
                break;
            await Task.Delay(250).ConfigureAwait(false);
        }
        _checker.Progress(after, pending);
        Say($"# {At}: after {after}: {(pending.Count == 0 ? "every node receives from every other" : $"{pending.Count} pairs without progress")} ({ClusterChecker.Seconds(waited.Elapsed)})");
    }

    private int Summary()
    {
        var reports = _ended.Concat(_nodes.OfType<NodeProcess>()).Select(n => n.LastReport).OfType<NodeReport>().ToList();
        var orderViolations = reports.Sum(r => r.Violations);
        var violations = orderViolations + _checker.Violations.Count;
        var processes = _ended.Count + _nodes.OfType<NodeProcess>().Count();
        Say($"soak: {processes} processes, {_faults[Fault.Kill]} kills, {reports.Sum(r => r.Checked)} messages checked, {violations} violations");
        var purges = string.Join(", ", _checker.LongestPurge.Select(p => $"{p.Key} {ClusterChecker.Seconds(p.Value)}"));
        Say($"soak: {_faults[Fault.Stop]} graceful stops, {_faults[Fault.Pause]} pauses, {_ended.Count} restarts; longest purge: {(purges == "" ? "none" : purges)} " +
            $"(bound {ClusterChecker.Seconds(PurgeBound)}); {reports.Sum(r => r.Gaps)} gaps (allowed); took {ClusterChecker.Seconds(_clock.Elapsed)}");
        foreach (var report in reports.Where(r => r.FirstViolation is not null))
            Say($"violation: on {report.Eid}: {report.FirstViolation} ({report.Violations} in all)");
        foreach (var violation in _checker.Violations)
            Say($"violation: {violation}");
        return violations == 0 ? 0 : 1;
    }

    private string At => ClusterChecker.Seconds(_clock.Elapsed);

    private void Say(string line)
    {
        output.WriteLine(line);
        output.Flush();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
