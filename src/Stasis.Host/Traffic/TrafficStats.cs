using Stasis.Actors;

namespace Stasis.Host.Traffic;

/// <summary>
/// What the traffic actor did so far: messages published per type, calls placed and completed, live channels.
/// Written by the traffic actor only, read by the console at any time (thread-safe reads).
/// </summary>
internal sealed class TrafficStats
{
    private readonly NamedCounters _published = new();
    private long _callsPlaced;
    private long _callsCompleted;
    private long _activeChannels;

    /// <summary>Messages published, all types together.</summary>
    public long Published => _published.Total;

    /// <summary>Calls placed.</summary>
    public long CallsPlaced => Interlocked.Read(ref _callsPlaced);

    /// <summary>Calls hung up.</summary>
    public long CallsCompleted => Interlocked.Read(ref _callsCompleted);

    /// <summary>Channels created and not yet hung up.</summary>
    public long ActiveChannels => Interlocked.Read(ref _activeChannels);

    /// <summary>Messages published per message type name.</summary>
    public IReadOnlyDictionary<string, long> PublishedByType => _published.Values;

    /// <summary>Counts one published message of <paramref name="type"/>.</summary>
    public void CountPublished(MessageType type) => _published.Increment(type.Name);

    /// <summary>Counts a placed call (two new channels).</summary>
    public void CallPlaced()
    {
        Interlocked.Increment(ref _callsPlaced);
        Interlocked.Add(ref _activeChannels, 2);
    }

    /// <summary>Counts a completed call (two channels gone).</summary>
    public void CallCompleted()
    {
        Interlocked.Increment(ref _callsCompleted);
        Interlocked.Add(ref _activeChannels, -2);
    }
}
