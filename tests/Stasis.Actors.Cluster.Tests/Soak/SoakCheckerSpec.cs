using Stasis.Cluster.Soak;

namespace Stasis.Actors.Cluster.Tests.Soak;

public sealed class SoakCheckerSpec
{
    [Fact]
    public void A_clean_stream_has_no_violation_and_may_start_late()
    {
        var checker = new OrderChecker();
        foreach (var seq in new long[] { 40, 41, 42 })
            checker.Observe("a", seq);
        checker.Observe("b", 0);

        Assert.Equal((4L, 0L, 0L), (checker.Checked, checker.Violations, checker.Gaps));
        Assert.Null(checker.FirstViolation);
        Assert.Equal(3, checker.Received["a"]);
    }

    [Fact]
    public void A_gap_is_counted_but_allowed()
    {
        var checker = new OrderChecker();
        foreach (var seq in new long[] { 1, 2, 6 })
            checker.Observe("a", seq);

        Assert.Equal((0L, 3L), (checker.Violations, checker.Gaps));
    }

    [Theory]
    [InlineData(new long[] { 1, 2, 2 }, "a #2 received twice")]
    [InlineData(new long[] { 1, 3, 2 }, "a #2 received after #3")]
    [InlineData(new long[] { 1, 2, 3, 1 }, "a #1 received after #3")]
    public void A_duplicate_or_a_reorder_is_a_violation(long[] seqs, string described)
    {
        var checker = new OrderChecker();
        foreach (var seq in seqs)
            checker.Observe("a", seq);

        Assert.Equal(1, checker.Violations);
        Assert.Equal(described, checker.FirstViolation);
    }

    [Fact]
    public void Origins_are_checked_apart()
    {
        var checker = new OrderChecker();
        checker.Observe("a", 5);
        checker.Observe("b", 1); // a restarted node is a new origin, numbering from 0 again
        checker.Observe("a", 6);

        Assert.Equal(0, checker.Violations);
    }

    [Theory]
    [InlineData(Plant.Duplicate, "received twice")]
    [InlineData(Plant.Reorder, "received after")]
    public void A_planted_fault_is_caught(Plant plant, string described)
    {
        var checker = new OrderChecker();
        var planted = new PlantedFault(plant);
        for (var seq = 0L; seq < 300; seq++)
            planted.Deliver("a", seq, checker.Observe);

        Assert.Equal(1, checker.Violations);
        Assert.Contains(described, checker.FirstViolation);
    }

    [Fact]
    public void Without_a_plant_every_beat_reaches_the_checker_in_order()
    {
        var checker = new OrderChecker();
        var planted = new PlantedFault(Plant.None);
        for (var seq = 0L; seq < 300; seq++)
            planted.Deliver("a", seq, checker.Observe);

        Assert.Equal((300L, 0L, 0L), (checker.Checked, checker.Violations, checker.Gaps));
    }

    [Fact]
    public void A_report_reads_back_as_written()
    {
        var report = new NodeReport("0a:b7:a1:30:7c:d1", 12, 1, 3, "x #2 received after #3", new Dictionary<string, long> { ["x"] = 7, ["y"] = 5 });

        var read = NodeReport.Parse(report.Format());

        Assert.Equal((report.Eid, report.Checked, report.Violations, report.Gaps, report.FirstViolation), (read.Eid, read.Checked, read.Violations, read.Gaps, read.FirstViolation));
        Assert.Equal(report.Received, read.Received);
        Assert.Empty(NodeReport.Parse(new NodeReport("e", 0, 0, 0, null, new Dictionary<string, long>()).Format()).Received);
        Assert.Throws<FormatException>(() => NodeReport.Parse("cache a,b"));
    }

    [Fact]
    public void A_departed_node_must_be_cleared_from_every_survivor_within_the_bound()
    {
        var checker = new ClusterChecker();
        var bound = TimeSpan.FromSeconds(15);

        checker.Departure("kill -9", "n1", ["s1", "s2"], new Dictionary<string, TimeSpan> { ["s1"] = TimeSpan.FromSeconds(8), ["s2"] = TimeSpan.FromSeconds(9) }, bound);
        Assert.Empty(checker.Violations);
        Assert.Equal(TimeSpan.FromSeconds(9), checker.LongestPurge["kill -9"]);

        checker.Departure("stop", "n2", ["s1", "s2"], new Dictionary<string, TimeSpan> { ["s1"] = TimeSpan.FromSeconds(16) }, bound);
        Assert.Equal(2, checker.Violations.Count);
        Assert.Contains("stop: s1 cleared n2's entries after 16.0 s, bound 15.0 s", checker.Violations);
        Assert.Contains("stop: s2 still caches n2's entries after 15.0 s", checker.Violations);
    }

    [Fact]
    public void Progress_needs_new_messages_and_a_cached_entry_from_every_other_live_node()
    {
        static NodeReport Report(string eid, long fromOther) => new(eid, fromOther, 0, 0, null, new Dictionary<string, long> { [eid == "a" ? "b" : "a"] = fromOther });
        var baseline = new Dictionary<string, NodeReport> { ["a"] = Report("a", 10), ["b"] = Report("b", 10) };
        var caches = new Dictionary<string, IReadOnlySet<string>> { ["a"] = new HashSet<string> { "a", "b" }, ["b"] = new HashSet<string> { "b" } };

        var pending = ClusterChecker.Pending(baseline, new Dictionary<string, NodeReport> { ["a"] = Report("a", 11), ["b"] = Report("b", 10) }, caches);

        Assert.Equal(["b received nothing new from a", "b does not cache a's entry"], pending);
    }
}
