using Akka.Actor;
using Akka.Event;
using Stasis.Actors.Cluster;
using Stasis.Actors;
using Stasis.Host.Configuration;
using Stasis.Host.Traffic;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Stasis.Host.Hosting;

/// <summary>What a cluster node did during a run, for the summary.</summary>
/// <param name="Address">This node's Akka address.</param>
/// <param name="Eid">This node's EID.</param>
/// <param name="MostOtherNodes">The most other nodes known at once during the run.</param>
/// <param name="Sent">Messages this node sent to the cluster.</param>
/// <param name="Received">Messages from other nodes dispatched here.</param>
/// <param name="Rejected">Messages from other nodes dropped here.</param>
internal sealed record ClusterReport(string Address, string Eid, int MostOtherNodes, long Sent, long Received, long Rejected);

/// <summary>
/// The host as a cluster node: clusters the channel caching topic (so <c>channel:all</c> is shared and a departed
/// node's channels are cleared from the cache), logs nodes joining and leaving, and waits until this node is a member
/// (and, when configured, until other nodes receive <c>channel:all</c>) before the traffic starts.
/// </summary>
/// <remarks>Thread-safe. Leaving the cluster is the actor system's coordinated shutdown's job, at the end of the run.</remarks>
internal sealed class ClusterNode
{
    private readonly StasisCluster _cluster;
    private int _mostOtherNodes;

    private ClusterNode(ActorSystem system, ChannelTopics channels)
    {
        _cluster = StasisCluster.Get(system);
        _cluster.TrackCachingTopic(channels.CachingTopic);
        var log = Logging.GetLogger(system, "Stasis.Host.Cluster");
        // Lives as long as the actor system: nodes leaving while this one shuts down are logged too.
        _cluster.SystemTopic.Subscribe((_, _, message) =>
        {
            switch (message.Data)
            {
                case NodeJoined joined:
                    log.Info("Cluster: node {0} joined (EID {1}), {2} other node(s)", joined.Address, joined.Eid, OtherNodes);
                    break;
                case NodeLeft left:
                    log.Info("Cluster: node {0} left ({1}), {2} other node(s)", left.Address, left.Reason, OtherNodes);
                    break;
            }
        }, new SubscriptionOptions { Name = "stasis-host:membership" });
    }

    /// <summary>The other nodes this node knows now (the most seen at once is kept for the report).</summary>
    public int OtherNodes
    {
        get
        {
            var count = _cluster.Nodes.Count;
            InterlockedMax(ref _mostOtherNodes, count);
            return count;
        }
    }

    /// <summary>Messages from other nodes dispatched here so far.</summary>
    public long Received => _cluster.ReceivedCount;

    /// <summary>
    /// Makes this host's actor system a node sharing <paramref name="channels"/>, and completes once it is a member and
    /// <see cref="ClusterSettings.WaitForNodes"/> other nodes receive <c>channel:all</c>.
    /// </summary>
    /// <remarks>When <paramref name="cancellationToken"/> is cancelled (the host stopping) it returns at once.</remarks>
    /// <exception cref="TimeoutException">The node did not join, or the other nodes did not come, in time.</exception>
    public static async Task<ClusterNode> JoinAsync(ActorSystem system, ChannelTopics channels, ClusterSettings settings, CancellationToken cancellationToken)
    {
        var node = new ClusterNode(system, channels);
        var log = Logging.GetLogger(system, "Stasis.Host.Cluster");
        var akkaCluster = AkkaCluster.Get(system);
        var seeds = settings.Seeds.Count == 0 ? "itself (a new cluster)" : string.Join(", ", settings.Seeds);
        log.Info("Cluster: node {0} (EID {1}) joining through {2}", akkaCluster.SelfAddress, node._cluster.Eid, seeds);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        akkaCluster.RegisterOnMemberUp(() => up.TrySetResult());
        try
        {
            await up.Task.WaitAsync(settings.JoinTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"cluster: not a member after {settings.JoinTimeout.TotalSeconds:0} s (seeds: {seeds}); is a seed node running?");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return node; // stopped (Ctrl+C) while joining: the run ends at once, gracefully
        }
        log.Info("Cluster: node {0} is up; channel:all is shared", akkaCluster.SelfAddress);
        if (settings.WaitForNodes > 0)
        {
            log.Info("Cluster: waiting for {0} other node(s) to receive channel:all", settings.WaitForNodes);
            try
            {
                await node._cluster.WaitForSubscribersAsync(channels.All, settings.WaitForNodes, settings.WaitForNodesTimeout, cancellationToken);
            }
            catch (ClusterAckTimeoutException ex)
            {
                throw new TimeoutException($"cluster: {ex.Message}", ex);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return node;
            }
        }
        return node;
    }

    /// <summary>The run's cluster numbers.</summary>
    public ClusterReport Report()
    {
        _ = OtherNodes;
        return new ClusterReport(AkkaCluster.Get(_cluster.System).SelfAddress.ToString(), _cluster.Eid.ToString(), Volatile.Read(ref _mostOtherNodes),
            _cluster.SentCount, _cluster.ReceivedCount, _cluster.RejectedCount);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
                return;
            current = seen;
        }
    }
}
