using Akka.Configuration;
using Akka.Configuration.Hocon;
using Stasis.Host.Cli;

namespace Stasis.Host.Configuration;

/// <summary>
/// What Akka's lenient HOCON parser lets through, turned into one-line errors: a file whose braces or brackets do not
/// balance, a file with text but no settings, and keys under <c>stasis-host</c> or <c>stasis</c> that no default
/// configuration knows (a misspelt key would otherwise be ignored silently).
/// </summary>
internal static class HoconChecks
{
    /// <summary>Reads a HOCON file given with --config.</summary>
    /// <exception cref="UsageException">The file cannot be read or parsed (the message names the file and the line).</exception>
    public static Config ParseFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: cannot be read ({ex.Message})");
        }
        CheckStructure(text, path);
        Config config;
        try
        {
            config = ConfigurationFactory.ParseString(text);
        }
        catch (Exception ex)
        {
            throw new UsageException($"{path}: {ex.Message}");
        }
        if (config.IsEmpty && HasContent(text))
            throw new UsageException($"{path}: no setting could be read (expected lines such as stasis-host.duration = 30s)");
        return config;
    }

    /// <summary>Rejects keys under <c>stasis-host</c> and <c>stasis</c> that <paramref name="known"/> does not have.</summary>
    /// <param name="layer">A configuration layer given by the user.</param>
    /// <param name="known">Every key the host and the bus know (their defaults merged).</param>
    /// <param name="source">Where the layer came from, for the message (a file name, "environment variables").</param>
    /// <exception cref="UsageException">An unknown key: named, with the closest known one.</exception>
    public static void CheckKnownKeys(Config layer, Config known, string source)
    {
        if (layer.IsEmpty)
            return;
        var knownPaths = Leaves(known.Root, "").ToList();
        foreach (var path in Leaves(layer.Root, ""))
        {
            if (!(path.StartsWith("stasis-host.", StringComparison.Ordinal) || path.StartsWith("stasis.", StringComparison.Ordinal))
                || knownPaths.Contains(path) || knownPaths.Any(k => path.StartsWith(k + ".", StringComparison.Ordinal)))
                continue;
            var closest = knownPaths.MinBy(k => EditDistance(path, k));
            throw new UsageException(closest is not null && EditDistance(path, closest) <= 4
                ? $"{source}: unknown key {path}; did you mean {closest}?"
                : $"{source}: unknown key {path}");
        }
    }

    private static IEnumerable<string> Leaves(HoconValue? value, string prefix)
    {
        if (value is null || !value.IsObject())
        {
            if (prefix.Length > 0)
                yield return prefix;
            yield break;
        }
        foreach (var (key, child) in value.GetObject().Items)
        {
            foreach (var leaf in Leaves(child, prefix.Length == 0 ? key : prefix + "." + key))
                yield return leaf;
        }
    }

    /// <summary>Braces and brackets outside strings and comments must balance.</summary>
    private static void CheckStructure(string text, string path)
    {
        var open = new Stack<(char Bracket, int Line)>();
        var line = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n')
                line++;
            else if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
                i = SkipTo(text, i, "\n") - 1; // the newline itself is counted on the next step
            else if (c == '"' && i + 2 < text.Length && text[i + 1] == '"' && text[i + 2] == '"')
                line += Count(text, i, i = SkipTo(text, i + 3, "\"\"\"") + 2);
            else if (c == '"')
                line += Count(text, i, i = SkipQuoted(text, i));
            else if (c is '{' or '[')
                open.Push((c, line));
            else if (c is '}' or ']')
            {
                if (open.Count == 0 || open.Pop().Bracket != (c == '}' ? '{' : '['))
                    throw new UsageException($"{path}: line {line}: unexpected '{c}'");
            }
        }
        if (open.Count > 0)
            throw new UsageException($"{path}: line {open.Peek().Line}: '{open.Peek().Bracket}' is never closed");
    }

    private static bool HasContent(string text) =>
        text.Split('\n').Select(l => l.Trim()).Any(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith("//", StringComparison.Ordinal));

    private static int SkipTo(string text, int from, string end)
    {
        var at = text.IndexOf(end, from, StringComparison.Ordinal);
        return at < 0 ? text.Length : at;
    }

    private static int SkipQuoted(string text, int start)
    {
        for (var i = start + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
                i++;
            else if (text[i] is '"' or '\n')
                return i;
        }
        return text.Length;
    }

    private static int Count(string text, int from, int to) => text.AsSpan(from, Math.Min(to, text.Length - 1) - from + 1).Count('\n');

    /// <summary>Levenshtein distance, for "did you mean" suggestions.</summary>
    public static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }
}
