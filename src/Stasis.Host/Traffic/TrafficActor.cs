using System.Globalization;
using Akka.Actor;
using Akka.Event;
using Stasis.Actors;
using Stasis.Host.Configuration;

namespace Stasis.Host.Traffic;

/// <summary>
/// Simulates a PBX: places calls at <see cref="TrafficSettings.CallsPerSecond"/>, each with a caller and a callee
/// channel, and hangs each up after <see cref="TrafficSettings.HoldTime"/>. Every channel event is published on the
/// channel's own topic (which forwards to <c>channel:all</c>).
/// </summary>
/// <remarks>
/// One call publishes, in order: caller snapshot (Down), caller varset CALLERID(num), caller snapshot (Ring), callee
/// snapshot (Down), dial begin, callee snapshot (Ringing), callee snapshot (Up), caller snapshot (Up), dial end
/// (ANSWER), caller DTMF, callee varset BRIDGEPEER; at hang-up: both dead snapshots, then both cache clears.
/// The actor wakes up every <see cref="TrafficSettings.TickInterval"/> and places the calls due since the last tick,
/// so the rate holds whatever the tick's jitter. When asked to stop it places no more calls and lets the live ones
/// end (or hangs them up at once), then answers.
/// </remarks>
internal sealed class TrafficActor : ReceiveActor, IWithTimers
{
    private const int NormalClearing = 16;

    private readonly ChannelTopics _channels;
    private readonly TrafficSettings _settings;
    private readonly TrafficStats _stats;
    private readonly Queue<Call> _calls = new();
    private readonly long _epoch = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private DateTimeOffset _lastTick;
    private double _owed;
    private long _sequence;
    private long _channelSequence;
    private bool _stopped;
    private IActorRef? _stopRequester;

    public TrafficActor(ChannelTopics channels, TrafficSettings settings, TrafficStats stats)
    {
        _channels = channels;
        _settings = settings;
        _stats = stats;
        Receive<Tick>(_ => OnTick());
        Receive<StopTraffic>(OnStop);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ChannelTopics channels, TrafficSettings settings, TrafficStats stats) =>
        Akka.Actor.Props.Create(() => new TrafficActor(channels, settings, stats));

    protected override void PreStart()
    {
        _lastTick = DateTimeOffset.UtcNow;
        Timers.StartPeriodicTimer("tick", Tick.Instance, _settings.TickInterval);
        _log.Info("Traffic: {0} calls/s, hold time {1} ms, two channels per call", _settings.CallsPerSecond, _settings.HoldTime.TotalMilliseconds);
    }

    private void OnTick()
    {
        var now = DateTimeOffset.UtcNow;
        HangUpDue(now);
        if (_stopped)
        {
            ReplyWhenIdle();
            return;
        }
        // A long pause (GC, a loaded machine) is caught up over at most one second's worth of calls.
        _owed = Math.Min(_owed + (now - _lastTick).TotalSeconds * _settings.CallsPerSecond, Math.Max(1, _settings.CallsPerSecond));
        _lastTick = now;
        for (; _owed >= 1; _owed--)
            Place(now);
    }

    private void OnStop(StopTraffic stop)
    {
        if (!_stopped)
        {
            _stopped = true;
            _stopRequester = Sender;
            if (stop.HangUpNow)
                HangUpDue(DateTimeOffset.MaxValue);
        }
        else
        {
            _stopRequester = Sender;
        }
        ReplyWhenIdle();
    }

    private void ReplyWhenIdle()
    {
        if (_calls.Count > 0 || _stopRequester is null)
            return;
        Timers.CancelAll();
        _log.Info("Traffic stopped: {0} calls placed, {1} messages published", _stats.CallsPlaced, _stats.Published);
        _stopRequester.Tell(TrafficStopped.Instance);
        _stopRequester = null;
    }

    private void HangUpDue(DateTimeOffset now)
    {
        while (_calls.TryPeek(out var call) && call.Due <= now)
        {
            _calls.Dequeue();
            HangUp(call);
        }
    }

    private void Place(DateTimeOffset now)
    {
        var n = ++_sequence;
        var callerNumber = (1000 + n % 9000).ToString(CultureInfo.InvariantCulture);
        var calleeExten = (2000 + n % 7919 % 1000).ToString(CultureInfo.InvariantCulture);
        var (callerId, callerName) = NewChannel("alice");
        var (calleeId, calleeName) = NewChannel("bob");
        var callerTopic = _channels.ForChannel(callerId);
        var calleeTopic = _channels.ForChannel(calleeId);
        var dialString = $"{_settings.Technology}/{calleeExten}";

        var caller = new ChannelSnapshot(callerId, callerName, ChannelState.Down, callerNumber, "s", now);
        Publish(callerTopic, _channels.SnapshotType, caller);
        Publish(callerTopic, _channels.VarSetType, new ChannelVarSet(callerId, "CALLERID(num)", callerNumber));
        caller = caller with { State = ChannelState.Ring, Exten = calleeExten };
        Publish(callerTopic, _channels.SnapshotType, caller);

        var callee = new ChannelSnapshot(calleeId, calleeName, ChannelState.Down, callerNumber, calleeExten, now);
        Publish(calleeTopic, _channels.SnapshotType, callee);
        Publish(callerTopic, _channels.DialType, new ChannelDial(callerId, calleeId, dialString, ""));
        callee = callee with { State = ChannelState.Ringing };
        Publish(calleeTopic, _channels.SnapshotType, callee);
        callee = callee with { State = ChannelState.Up };
        Publish(calleeTopic, _channels.SnapshotType, callee);
        caller = caller with { State = ChannelState.Up };
        Publish(callerTopic, _channels.SnapshotType, caller);
        Publish(callerTopic, _channels.DialType, new ChannelDial(callerId, calleeId, dialString, "ANSWER"));
        Publish(callerTopic, _channels.DtmfType, new ChannelDtmf(callerId, (char)('0' + n % 10), 120));
        Publish(calleeTopic, _channels.VarSetType, new ChannelVarSet(calleeId, "BRIDGEPEER", caller.Name));

        _stats.CallPlaced();
        _calls.Enqueue(new Call(caller, callerTopic, callee, calleeTopic, now + _settings.HoldTime));
    }

    private void HangUp(Call call)
    {
        Publish(call.CallerTopic, _channels.SnapshotType, call.Caller with { IsDead = true, HangupCause = NormalClearing });
        Publish(call.CalleeTopic, _channels.SnapshotType, call.Callee with { IsDead = true, HangupCause = NormalClearing });
        Clear(call.CallerTopic, call.Caller.UniqueId);
        Clear(call.CalleeTopic, call.Callee.UniqueId);
        _stats.CallCompleted();
    }

    private void Clear(Topic topic, string uniqueId)
    {
        if (_channels.CacheClear(uniqueId) is { } clear)
        {
            topic.Publish(clear);
            _stats.CountPublished(clear.Type);
        }
        _channels.Release(uniqueId);
    }

    private void Publish<T>(Topic topic, MessageType<T> type, T payload) where T : class
    {
        if (type.CreateMessage(payload) is not { } message)
            return; // declined by configuration: nothing is published, nothing counted
        topic.Publish(message);
        _stats.CountPublished(type);
    }

    /// <summary>A new channel's unique id and name, as Asterisk makes them (start time and a sequence number).</summary>
    private (string UniqueId, string Name) NewChannel(string peer)
    {
        var n = ++_channelSequence;
        return (string.Create(CultureInfo.InvariantCulture, $"{_epoch}.{n}"),
                string.Create(CultureInfo.InvariantCulture, $"{_settings.Technology}/{peer}-{n:x8}"));
    }

    private sealed record Call(ChannelSnapshot Caller, Topic CallerTopic, ChannelSnapshot Callee, Topic CalleeTopic, DateTimeOffset Due);

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }
}

/// <summary>
/// Asks the traffic actor to stop placing calls; answered with <see cref="TrafficStopped"/> once every live call was
/// hung up: at once with <paramref name="HangUpNow"/> (Ctrl+C), else when each call's hold time is over.
/// </summary>
/// <param name="HangUpNow">Hang up every live call now instead of letting it end.</param>
internal sealed record StopTraffic(bool HangUpNow);

/// <summary>The traffic actor's answer to <see cref="StopTraffic"/>: every call is hung up and published.</summary>
internal sealed class TrafficStopped
{
    /// <summary>The instance.</summary>
    public static readonly TrafficStopped Instance = new();
}
