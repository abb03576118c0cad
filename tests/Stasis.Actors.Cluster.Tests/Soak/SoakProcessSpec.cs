using System.Diagnostics;
using Akka.TestKit.Xunit2;
using Stasis.Cluster.Soak;
using Xunit.Abstractions;

namespace Stasis.Actors.Cluster.Tests.Soak;

/// <summary>
/// The soak program run as CI runs it (3 node processes, one killed with -9 and restarted): a planted bug (a caching topic the cluster does not
/// track, so a departed node's entries stay) must turn the run red. The clean short run is CI's own step (.ci/run).
/// </summary>
public sealed class SoakProcessSpec : TestKit
{
    private readonly ITestOutputHelper _output;

    public SoakProcessSpec(ITestOutputHelper output) : base(output: output) => _output = output;

    [Fact]
    public async Task A_skipped_purge_is_reported_as_violations_and_fails_the_run()
    {
        var (exitCode, lines) = await RunSoakAsync("run", "--short", "--plant", "skip-purge", "--faults", "kill", "--stable-after", "2");

        Assert.Equal(1, exitCode);
        var summary = Assert.Single(lines, l => l.StartsWith("soak: 4 processes, 1 kills, ", StringComparison.Ordinal));
        Assert.Matches(@"messages checked, [1-9]\d* violations$", summary);
        Assert.Equal(2, lines.Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^violation: kill -9: \S+ still caches node[12]\.1 ")));
    }

    private async Task<(int ExitCode, List<string> Lines)> RunSoakAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(SoakRun).Assembly.Location);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var lines = new List<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (lines)
                lines.Add(e.Data);
            _output.WriteLine(e.Data);
        };
        process.BeginOutputReadLine();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Dilated(TimeSpan.FromMinutes(3)));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        _output.WriteLine(await errors);
        lock (lines)
            return (process.ExitCode, [.. lines]);
    }
}
