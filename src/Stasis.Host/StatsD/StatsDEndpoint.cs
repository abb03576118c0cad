using System.Globalization;
using Stasis.Host.Cli;

namespace Stasis.Host.StatsD;

/// <summary>A <c>HOST:PORT</c> address (a StatsD server's, or a cluster seed node's): a host name or IP address and a port.</summary>
/// <param name="Host">The host name or IP address.</param>
/// <param name="Port">The port.</param>
internal sealed record StatsDEndpoint(string Host, int Port)
{
    /// <summary>Parses <c>HOST:PORT</c> (an IPv6 address in brackets: <c>[::1]:8125</c>).</summary>
    /// <param name="text">The text.</param>
    /// <param name="source">Where the text came from, for the error message (an option or a HOCON key).</param>
    /// <param name="example">An example shown in the error message.</param>
    /// <exception cref="UsageException">The text is not HOST:PORT with a port from 1 to 65535.</exception>
    public static StatsDEndpoint Parse(string text, string source, string example = "127.0.0.1:8125")
    {
        var colon = text.LastIndexOf(':');
        var host = colon > 0 ? text[..colon].Trim('[', ']') : "";
        if (colon <= 0 || host.Length == 0
            || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
            throw new UsageException($"{source}: expected HOST:PORT (e.g. {example}), got '{text}'");
        return new StatsDEndpoint(host, port);
    }

    /// <inheritdoc />
    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
