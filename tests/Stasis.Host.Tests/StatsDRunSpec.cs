using System.Globalization;
using System.Text.RegularExpressions;
using Stasis.Host.ChanStats;
using Stasis.Host.Console;
using Stasis.Host.Tests.Support;

namespace Stasis.Host.Tests;

/// <summary>
/// One in-process run of the host (about 2 s at 500 calls/s, 200 ms calls) with a real UDP socket as the StatsD
/// server; each spec checks one promise of what arrived.
/// </summary>
public sealed class StatsDRunFixture : IAsyncLifetime
{
    public const int HoldMs = 200;

    public StatsDListener Listener { get; } = new();

    internal HostResult Result { get; private set; } = null!;

    internal RunReport Report => Result.Outcome.Report!;

    public IReadOnlyList<string> Lines { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Result = await HostRunner.RunAsync("--duration", "2", "--calls-per-second", "500", "--hold-ms", HoldMs.ToString(CultureInfo.InvariantCulture),
            "--statsd", Listener.Endpoint, "--quiet");
        Assert.True(Result.ExitCode == 0, Result.Output + Result.Error);
        await Listener.WaitForLinesAsync(Report.StatsD!.SentLines, TimeSpan.FromSeconds(10));
        Lines = Listener.Lines;
    }

    public Task DisposeAsync()
    {
        Listener.Dispose();
        return Task.CompletedTask;
    }
}

[Collection(HostRunner.Collection)]
public sealed partial class StatsDRunSpec(StatsDRunFixture run) : IClassFixture<StatsDRunFixture>
{
    [GeneratedRegex(@"^(?<name>[A-Za-z0-9_.\-]+):(?<value>[+-]?\d+)\|(?<type>c|m|g|ms)$")]
    private static partial Regex StatsDLine();

    [Fact]
    public void Every_packet_parses_as_statsd_lines_within_512_bytes()
    {
        Assert.NotEmpty(run.Listener.Packets);
        Assert.All(run.Listener.Packets, p => Assert.InRange(p.Length, 1, 512));
        Assert.All(run.Lines, line => Assert.Matches(StatsDLine(), line));
    }

    [Fact]
    public void Meters_gauges_and_timers_all_arrive()
    {
        var types = run.Lines.Select(l => StatsDLine().Match(l).Groups["type"].Value).ToHashSet();
        Assert.Contains("c", types);
        Assert.Contains("g", types);
        Assert.Contains("ms", types);
    }

    [Fact]
    public void Channels_count_returns_to_zero_once_all_calls_ended()
    {
        var deltas = Values(ChanStatsModule.ChannelCount, "g").ToList();
        Assert.Contains(deltas, d => d > 0);
        Assert.Contains(deltas, d => d < 0);
        Assert.Equal(0, deltas.Sum());
        Assert.Equal(run.Report.CallsPlaced, run.Report.CallsCompleted);
    }

    [Fact]
    public void Message_meters_equal_what_the_traffic_published()
    {
        Assert.NotEmpty(run.Report.PublishedByType);
        foreach (var (type, published) in run.Report.PublishedByType)
            Assert.Equal(published, Values(ChanStatsModule.MessageMeterPrefix + type, "c").Sum());
    }

    [Fact]
    public void Calltime_values_match_the_hold_time()
    {
        var calltimes = Values(ChanStatsModule.CallTime, "ms").ToList();
        Assert.Equal(run.Report.CallsCompleted * 2, calltimes.Count);
        // A call is hung up on the first traffic tick after its hold time: never earlier, and late only by scheduling.
        Assert.All(calltimes, ms => Assert.InRange(ms, StatsDRunFixture.HoldMs, StatsDRunFixture.HoldMs + 1000));
    }

    private IEnumerable<long> Values(string name, string type) =>
        run.Lines.Select(l => StatsDLine().Match(l))
            .Where(m => m.Success && m.Groups["name"].Value == name && m.Groups["type"].Value == type)
            .Select(m => long.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
}
