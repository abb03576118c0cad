using System.Runtime.CompilerServices;

namespace Stasis.Actors.Tests.PublicApi;

/// <summary>The libraries use Akka's public extension points only: an Akka upgrade must not break them at start-up.</summary>
public sealed class EngineApiSpec
{
    [Fact]
    public void No_source_file_reflects_into_non_public_members()
    {
        var src = Path.GetFullPath(Path.Combine(SpecDirectory(), "../../../src"));
        var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(files);
        var offenders = files.Where(f => File.ReadAllText(f).Contains("NonPublic", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(src, f));
        Assert.Empty(offenders);
    }

    private static string SpecDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
