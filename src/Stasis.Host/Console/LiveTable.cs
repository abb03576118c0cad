using System.Globalization;

namespace Stasis.Host.Console;

/// <summary>One row of the live table: the state of the run at one moment.</summary>
/// <param name="Elapsed">Time since the traffic started.</param>
/// <param name="Topics">Live topics on the bus.</param>
/// <param name="Published">Messages published so far.</param>
/// <param name="Subscriptions">Subscriptions on all live topics.</param>
/// <param name="DeepestQueue">The longest queue among the modules' subscriptions.</param>
/// <param name="ActiveChannels">Channels alive.</param>
/// <param name="CallsCompleted">Calls hung up so far.</param>
/// <param name="Cluster">The cluster's part, when the host is a cluster node.</param>
internal sealed record LiveSample(TimeSpan Elapsed, int Topics, long Published, int Subscriptions, int DeepestQueue, long ActiveChannels, long CallsCompleted,
    ClusterSample? Cluster = null);

/// <summary>The cluster's part of a live table row.</summary>
/// <param name="Nodes">Cluster nodes known, this one included.</param>
/// <param name="Remote">Messages from other nodes counted by chan-stats so far.</param>
internal sealed record ClusterSample(int Nodes, long Remote);

/// <summary>
/// The live table: a header, then one compact row per sample (messages/s computed from the previous sample), the
/// header repeated every 20 rows. Rows are appended, never redrawn, so the output reads the same in a file. On a
/// cluster node two columns are added: <c>nodes</c> (this one included) and <c>remote/s</c> (messages from other nodes
/// counted by chan-stats per second).
/// </summary>
internal sealed class LiveTable(ConsoleStyle style, bool clustered = false)
{
    private static readonly TextColumns Columns = new(7, 6, 9, 5, 7, 8, 10);
    private static readonly TextColumns ClusterColumns = new(7, 6, 9, 5, 7, 8, 10, 5, 9);
    private LiveSample? _previous;
    private int _rows;

    /// <summary>Prints the row of <paramref name="sample"/> (and the header when due).</summary>
    public void Write(LiveSample sample)
    {
        var columns = clustered ? ClusterColumns : Columns;
        string[] header = ["time", "topics", "msgs/s", "subs", "deepq", "channels", "calls done"];
        if (_rows++ % 20 == 0)
            style.Out.WriteLine(style.Bold(columns.Format(clustered ? [.. header, "nodes", "remote/s"] : header)));
        var seconds = (sample.Elapsed - (_previous?.Elapsed ?? TimeSpan.Zero)).TotalSeconds;
        long Rate(long now, long before) => seconds > 0 ? (long)Math.Round((now - before) / seconds) : 0;
        string[] cells =
        [
            sample.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s",
            Number(sample.Topics),
            Number(Rate(sample.Published, _previous?.Published ?? 0)),
            Number(sample.Subscriptions),
            Number(sample.DeepestQueue),
            Number(sample.ActiveChannels),
            Number(sample.CallsCompleted),
        ];
        if (clustered)
            cells = [.. cells, Number(sample.Cluster?.Nodes ?? 1), Number(Rate(sample.Cluster?.Remote ?? 0, _previous?.Cluster?.Remote ?? 0))];
        _previous = sample;
        style.Out.WriteLine(columns.Format(cells));
        style.Out.Flush();
    }

    /// <summary>A whole number with thousands separators.</summary>
    public static string Number(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);
}
