namespace Stasis.Host.Console;

/// <summary>
/// Where the host prints, and whether it may use ANSI styling: only on a real terminal (not redirected to a file or a
/// pipe, not an injected writer) and when <c>NO_COLOR</c> is not set, so redirected output holds no control codes.
/// </summary>
/// <param name="Out">The writer.</param>
/// <param name="Ansi">True when ANSI styling is allowed.</param>
internal sealed record ConsoleStyle(TextWriter Out, bool Ansi)
{
    /// <summary>The style for <paramref name="output"/>: ANSI only when it is the process's own, interactive stdout.</summary>
    public static ConsoleStyle For(TextWriter output) =>
        new(output, ReferenceEquals(output, System.Console.Out) && !System.Console.IsOutputRedirected
                    && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")));

    /// <summary><paramref name="text"/> in bold (plain without ANSI).</summary>
    public string Bold(string text) => Ansi ? "\u001b[1m" + text + "\u001b[0m" : text;

    /// <summary><paramref name="text"/> dimmed (plain without ANSI).</summary>
    public string Dim(string text) => Ansi ? "\u001b[2m" + text + "\u001b[0m" : text;
}

/// <summary>Right-aligned fixed-width columns, the first one left-aligned: one layout for the host's tables.</summary>
/// <param name="Widths">Each column's width.</param>
internal sealed record TextColumns(params int[] Widths)
{
    /// <summary>One line of <paramref name="cells"/>.</summary>
    public string Format(params string[] cells) =>
        string.Join("  ", cells.Select((cell, i) => i == 0 ? cell.PadRight(Widths[i]) : cell.PadLeft(Widths[i]))).TrimEnd();
}
