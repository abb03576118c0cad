namespace Stasis.Actors.Internal;

/// <summary>A subscription's congestion limits, replaced as one object so that readers never see a high mark of one pair with the low mark of another.</summary>
internal sealed record WaterMarks(int High, int Low)
{
    /// <summary>Checks a pair: high positive, low in [0, high).</summary>
    /// <param name="high">The high-water mark.</param>
    /// <param name="low">The low-water mark.</param>
    /// <param name="owner">What the marks are for, for the message (e.g. "subscription x on topic y").</param>
    /// <exception cref="ArgumentException">The pair is out of range.</exception>
    public static WaterMarks Checked(int high, int low, string owner)
    {
        if (high <= 0)
            throw new ArgumentException($"HighWaterMark of {owner} must be positive, was {high}.");
        if (low < 0 || low >= high)
            throw new ArgumentException($"LowWaterMark of {owner} must be between 0 and HighWaterMark - 1 ({high - 1}), was {low}.");
        return new WaterMarks(high, low);
    }
}
