using System.Diagnostics;

namespace Stasis.Actors.Tests.Docs;

/// <summary>The console samples (README's snippets) run to completion and print (at the start of a line) what their comments promise.</summary>
[Trait("Category", "Samples")]
public sealed class SamplesSpec
{
    [Theory]
    [InlineData("QuickStart", "channel_snapshot from channel:1234: ChannelSnapshot { UniqueId = 1234, State = Up }")]
    [InlineData("Routing", "channel:all: Up")]
    [InlineData("Caching", "pattern cache: ChannelSnapshot { UniqueId = 1234.5, State = Up }")]
    [InlineData("Hosting", "high-water mark 1000, health Healthy")]
    [InlineData("Gateway", "{\"type\":\"ChannelDestroyed\",\"channel\":{\"id\":\"1234.5\"},\"topic\":\"channel:all\",\"timestamp\":\"20")]
    public async Task A_sample_runs_and_prints_its_result(string sample, string expectedLine)
    {
        var root = ReadmeSnippetsSpec.RepositoryRoot();
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        var dll = Path.Combine(root, "samples", sample, "bin", configuration, "net10.0", sample + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is not built");
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var lines = (await output).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.True(process.ExitCode == 0, $"{sample} exited {process.ExitCode}: {await error}");
        Assert.True(lines.Any(l => l.StartsWith(expectedLine, StringComparison.Ordinal)), $"no line starting {expectedLine}:\n{string.Join('\n', lines)}");
    }
}
