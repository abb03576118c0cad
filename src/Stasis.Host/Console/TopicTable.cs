using Stasis.Actors;
using Stasis.Host.Traffic;

namespace Stasis.Host.Console;

/// <summary>
/// The `topics` command's table: name, subscribers, forwards, dispatched and not dispatched messages of every live
/// topic. The per-channel topics of the pool are summed into one row, since there are hundreds of them.
/// </summary>
internal static class TopicTable
{
    private static readonly TextColumns Columns = new(34, 11, 8, 12, 14);

    /// <summary>The table of <paramref name="topics"/>, as text.</summary>
    public static string Render(ConsoleStyle style, IReadOnlyCollection<Topic> topics, ChannelTopics channels)
    {
        var o = new StringWriter();
        o.WriteLine(style.Bold(Columns.Format("topic", "subscribers", "forwards", "dispatched", "not dispatched")));
        var pool = topics.Where(channels.IsChannelTopic).ToList();
        foreach (var topic in topics.Except(pool).OrderBy(t => t.Name, StringComparer.Ordinal))
            o.WriteLine(Row(topic.Name, [topic]));
        if (pool.Count > 0)
            o.WriteLine(Row($"{channels.All.Name}/<uniqueid> ({LiveTable.Number(pool.Count)} live)", pool));
        return o.ToString();
    }

    private static string Row(string name, IReadOnlyCollection<Topic> topics) => Columns.Format(
        name,
        LiveTable.Number(topics.Sum(t => t.SubscriberCount)),
        LiveTable.Number(topics.Sum(t => t.ForwardCount)),
        LiveTable.Number(topics.Sum(t => t.DispatchedCount)),
        LiveTable.Number(topics.Sum(t => t.NotDispatchedCount)));
}
