using Stasis.Host.Tests.Support;

namespace Stasis.Host.Tests;

[Collection(HostRunner.Collection)]
public sealed class CommandLineSpec
{
    [Fact]
    public async Task Help_prints_the_usage_and_exits_0()
    {
        var result = await HostRunner.RunAsync("--help");

        result.AssertSucceeded();
        Assert.Contains("Usage:", result.Output);
        Assert.Contains("--statsd <HOST:PORT>", result.Output);
        Assert.Contains("--cluster-port <P>", result.Output);
        Assert.Contains("--seed <HOST:PORT>", result.Output);
        Assert.Contains("topics", result.Output);
        Assert.Contains("--verbose", result.Output);
    }

    [Fact]
    public async Task Options_take_their_value_after_an_equals_sign_too()
    {
        var result = await HostRunner.RunAsync("--duration=1", "--hold-ms=100", "--quiet");

        result.AssertSucceeded();
        Assert.Contains("Summary after", result.Output);
    }

    [Fact]
    public async Task A_misspelt_option_names_the_one_meant()
    {
        var result = await HostRunner.RunAsync("--duraton", "3");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("stasis-host: unknown option --duraton; did you mean --duration? (see --help)", result.Error.Trim());
    }

    [Theory]
    [InlineData("}}}{{{ [[[", "line 1: unexpected '}'")]
    [InlineData("stasis-host {\n  traffic {\n    calls-per-second = 5\n", "'{' is never closed")]
    [InlineData("stasis-host.trafic.calls-per-second = 5", "unknown key stasis-host.trafic.calls-per-second; did you mean stasis-host.traffic.calls-per-second?")]
    [InlineData("stasis.subscription.high-watermark = 5", "unknown key stasis.subscription.high-watermark; did you mean stasis.subscription.high-water-mark?")]
    [InlineData("stasis-host.duration = -5s", "stasis-host.duration: '-5s' is not a duration")]
    [InlineData("stasis-host.traffic.calls-per-second = lots", "stasis-host.traffic.calls-per-second: 'lots' is not a number")]
    public async Task A_bad_config_file_is_one_line_naming_the_file_or_key_and_exit_2(string hocon, string expected)
    {
        var config = Path.GetTempFileName();
        await File.WriteAllTextAsync(config, hocon);
        try
        {
            var result = await HostRunner.RunAsync("--config", config);

            Assert.Equal(2, result.ExitCode);
            Assert.Equal("", result.Output);
            var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("stasis-host: ", line);
            Assert.Contains(expected, line);
            if (!expected.Contains("stasis-host.duration", StringComparison.Ordinal) && !expected.Contains("'lots'", StringComparison.Ordinal))
                Assert.Contains(config, line); // a file's own mistakes name the file
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task A_misspelt_environment_variable_is_one_line_and_exit_2()
    {
        Environment.SetEnvironmentVariable("STASISHOST_STASIS_HOST__TRAFIC__CALLS_PER_SECOND", "5");
        try
        {
            var result = await HostRunner.RunAsync("--duration", "1");

            Assert.Equal(2, result.ExitCode);
            Assert.Equal("stasis-host: environment variables STASISHOST_*: unknown key stasis-host.trafic.calls-per-second; did you mean stasis-host.traffic.calls-per-second?",
                result.Error.Trim());
        }
        finally
        {
            Environment.SetEnvironmentVariable("STASISHOST_STASIS_HOST__TRAFIC__CALLS_PER_SECOND", null);
        }
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--duration", "soon")]
    [InlineData("--calls-per-second", "0")]
    [InlineData("--statsd", "localhost")]
    [InlineData("--hold-ms")]
    [InlineData("--config", "/no/such/file.conf")]
    [InlineData("--cluster-port", "0")]
    [InlineData("--cluster-port", "65536")]
    [InlineData("--cluster-port", "4053", "--seed", "localhost")]
    [InlineData("--cluster-port", "4053", "--seed", "127.0.0.1:0")]
    [InlineData("--cluster-port", "4053", "--seed")]
    [InlineData("--duration=-1")]
    [InlineData("extra")]
    public async Task A_bad_argument_prints_one_line_and_exits_2(params string[] args)
    {
        var result = await HostRunner.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Output);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("stasis-host: ", line);
    }

    [Fact]
    public async Task A_seed_without_a_cluster_port_says_so_and_exits_2()
    {
        var result = await HostRunner.RunAsync("--seed", "127.0.0.1:4053");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("stasis-host: --seed (stasis-host.cluster.seeds) needs --cluster-port (stasis-host.cluster.port)", result.Error.Trim());
    }

    [Fact]
    public async Task Duration_1_runs_shows_the_table_and_summary_and_exits_0()
    {
        var result = await HostRunner.RunAsync("--duration", "1", "--hold-ms", "100");

        result.AssertSucceeded();
        Assert.Contains("msgs/s", result.Output);
        Assert.Contains("Summary after", result.Output);
        Assert.False(result.Output.Contains('\u001b'), result.Output.Replace("\u001b", "<ESC>")); // not a terminal: no control codes
    }

    [Fact]
    public async Task Stopping_a_run_without_duration_ends_every_call_and_delivers_the_final_messages()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1)); // as Ctrl+C after a second

        var result = await HostRunner.RunAsync(["--duration", "0", "--quiet"], stop.Token);

        result.AssertSucceeded();
        var report = result.Outcome.Report!;
        Assert.True(report.CallsPlaced > 0);
        Assert.Equal(report.CallsPlaced, report.CallsCompleted);
        Assert.Equal(0, report.ChannelCount);
        Assert.Equal(2, report.FinalMessages);
        Assert.True(report.Drained);
    }

    [Fact]
    public async Task Quiet_prints_only_the_summary()
    {
        var result = await HostRunner.RunAsync("--duration", "1", "--hold-ms", "100", "--quiet");

        result.AssertSucceeded();
        Assert.DoesNotContain("msgs/s", result.Output);
        Assert.DoesNotContain(" INF]", result.Output);
        // Warnings still show (e.g. a subscription congested on a loaded machine); nothing else comes before the summary.
        var lines = result.Output.Split('\n').Where(line => !line.StartsWith('[') || !line.Contains(" WRN]", StringComparison.Ordinal));
        Assert.StartsWith("Summary after", string.Join('\n', lines).TrimStart());
    }

    [Fact]
    public async Task Topics_prints_the_topic_table_of_a_short_run()
    {
        var config = Path.GetTempFileName();
        await File.WriteAllTextAsync(config, "stasis-host.topics-run-duration = 500ms\nstasis-host.traffic.hold-time = 2s");
        try
        {
            var result = await HostRunner.RunAsync("topics", "--config", config);

            result.AssertSucceeded();
            Assert.Contains("not dispatched", result.Output);
            Assert.Matches(@"channel:all\s+2\s+0", result.Output);
            Assert.Matches(@"channel:all-cached\s+1\s+0", result.Output);
            Assert.True(System.Text.RegularExpressions.Regex.IsMatch(result.Output, @"channel:all/<uniqueid> \(\d[\d,]* live\)"), result.Output);
        }
        finally
        {
            File.Delete(config);
        }
    }
}
