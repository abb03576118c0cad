using System.Text.RegularExpressions;

namespace Stasis.Actors.Tests.Docs;

/// <summary>
/// README's C# snippets cannot drift from code that compiles and runs: each is marked <c>&lt;!-- readme:NAME --&gt;</c>
/// and must equal the region <c>// &lt;readme:NAME&gt;</c> … <c>// &lt;/readme:NAME&gt;</c> of a file under
/// <c>samples/</c> or <c>tests/</c> (indentation removed). <c>STASIS_UPDATE_README=1</c> rewrites README's blocks from the
/// regions first.
/// </summary>
public sealed partial class ReadmeSnippetsSpec
{
    [Fact]
    public void Every_csharp_block_of_the_readme_is_a_region_of_a_sample_or_spec()
    {
        var root = RepositoryRoot();
        var regions = Regions(root);
        var readme = Path.Combine(root, "README.md");
        if (Environment.GetEnvironmentVariable("STASIS_UPDATE_README") == "1")
            File.WriteAllLines(readme, WithRegions(File.ReadAllLines(readme), regions));
        var blocks = ReadmeBlocks(File.ReadAllLines(readme));

        Assert.NotEmpty(blocks);
        var unmarked = blocks.Where(b => b.Name is null).Select(b => $"README.md line {b.Line}").ToList();
        Assert.True(unmarked.Count == 0, "C# blocks without a <!-- readme:NAME --> marker: " + string.Join(", ", unmarked));
        foreach (var block in blocks)
        {
            Assert.True(regions.TryGetValue(block.Name!, out var region),
                $"README.md line {block.Line}: no region // <readme:{block.Name}> under samples/ or tests/");
            Assert.True(region.Text == block.Text,
                $"README.md line {block.Line} differs from {region.File}'s region readme:{block.Name}.\n--- README:\n{block.Text}\n--- {region.File}:\n{region.Text}");
        }
        var unused = regions.Keys.Except(blocks.Select(b => b.Name!)).ToList();
        Assert.True(unused.Count == 0, "Regions not shown in README.md: " + string.Join(", ", unused));
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "StasisActors.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"No StasisActors.sln above {AppContext.BaseDirectory}");
    }

    private static Dictionary<string, (string File, string Text)> Regions(string root)
    {
        var regions = new Dictionary<string, (string, string)>();
        var files = new[] { "samples", "tests" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var start = RegionStart().Match(lines[i]);
                if (!start.Success)
                    continue;
                var name = start.Groups[1].Value;
                var end = Array.FindIndex(lines, i + 1, l => l.Trim() == $"// </readme:{name}>");
                Assert.True(end > i, $"{file}: region readme:{name} is not closed");
                var relative = Path.GetRelativePath(root, file);
                Assert.False(regions.ContainsKey(name), $"Region readme:{name} appears twice ({relative})");
                regions[name] = (relative, Dedent(lines[(i + 1)..end]));
                i = end;
            }
        }
        return regions;
    }

    private static List<(string? Name, int Line, string Text)> ReadmeBlocks(string[] lines)
    {
        var blocks = new List<(string?, int, string)>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp")
                continue;
            var marker = i > 0 ? ReadmeMarker().Match(lines[i - 1]) : Match.Empty;
            var end = Array.FindIndex(lines, i + 1, l => l.Trim() == "```");
            blocks.Add((marker.Success ? marker.Groups[1].Value : null, i + 1, Dedent(lines[(i + 1)..end])));
            i = end;
        }
        return blocks;
    }

    /// <summary>README with each marked block replaced by its region (<c>STASIS_UPDATE_README=1</c>).</summary>
    private static List<string> WithRegions(string[] lines, Dictionary<string, (string File, string Text)> regions)
    {
        var result = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            result.Add(lines[i]);
            var marker = ReadmeMarker().Match(lines[i]);
            if (!marker.Success || i + 1 >= lines.Length || lines[i + 1].Trim() != "```csharp"
                || !regions.TryGetValue(marker.Groups[1].Value, out var region))
                continue;
            var end = Array.FindIndex(lines, i + 2, l => l.Trim() == "```");
            result.Add(lines[i + 1]);
            result.AddRange(region.Text.Split('\n'));
            i = end - 1;
        }
        return result;
    }

    private static string Dedent(string[] lines)
    {
        var indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..].TrimEnd() : l.Trim()));
    }

    [GeneratedRegex(@"^\s*// <readme:([a-z0-9-]+)>\s*$")]
    private static partial Regex RegionStart();

    [GeneratedRegex(@"^<!-- readme:([a-z0-9-]+) -->$")]
    private static partial Regex ReadmeMarker();
}
