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
internal sealed record LiveSample(TimeSpan Elapsed, int Topics, long Published, int Subscriptions, int DeepestQueue, long ActiveChannels, long CallsCompleted);

/// <summary>
/// The live table: a header, then one compact row per sample (messages/s computed from the previous sample), the
/// header repeated every 20 rows. Rows are appended, never redrawn, so the output reads the same in a file.
/// </summary>
internal sealed class LiveTable(ConsoleStyle style)
{
    private static readonly TextColumns Columns = new(7, 6, 9, 5, 7, 8, 10);
    private LiveSample? _previous;
    private int _rows;

    /// <summary>Prints the row of <paramref name="sample"/> (and the header when due).</summary>
    public void Write(LiveSample sample)
    {
        if (_rows++ % 20 == 0)
            style.Out.WriteLine(style.Bold(Columns.Format("time", "topics", "msgs/s", "subs", "deepq", "channels", "calls done")));
        var seconds = (sample.Elapsed - (_previous?.Elapsed ?? TimeSpan.Zero)).TotalSeconds;
        var rate = seconds > 0 ? (sample.Published - (_previous?.Published ?? 0)) / seconds : 0;
        _previous = sample;
        style.Out.WriteLine(Columns.Format(
            sample.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s",
            Number(sample.Topics),
            Number((long)Math.Round(rate)),
            Number(sample.Subscriptions),
            Number(sample.DeepestQueue),
            Number(sample.ActiveChannels),
            Number(sample.CallsCompleted)));
        style.Out.Flush();
    }

    /// <summary>A whole number with thousands separators.</summary>
    public static string Number(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);
}
