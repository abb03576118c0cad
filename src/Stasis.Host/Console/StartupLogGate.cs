using Serilog.Core;
using Serilog.Events;

namespace Stasis.Host.Console;

/// <summary>
/// Holds the log lines of the start-up (the actor system, remoting, the cluster join) until the run has started: then
/// they are written in order and later lines pass straight through. A start-up that fails discards them, so the user
/// sees the one-line error alone (<c>--verbose</c> opens the gate from the start instead).
/// </summary>
internal sealed class StartupLogGate(ILogEventSink inner, bool open) : ILogEventSink
{
    private readonly Lock _lock = new();
    private List<LogEvent>? _held = open ? null : [];
    private bool _discarded;

    /// <summary>True once the gate let the held lines through (or was open from the start).</summary>
    public bool IsOpen
    {
        get
        {
            lock (_lock)
                return _held is null && !_discarded;
        }
    }

    /// <inheritdoc />
    public void Emit(LogEvent logEvent)
    {
        lock (_lock)
        {
            if (_discarded)
                return;
            if (_held is not null)
            {
                _held.Add(logEvent);
                return;
            }
            inner.Emit(logEvent);
        }
    }

    /// <summary>The run started: writes what was held, then lets every line through.</summary>
    public void Open()
    {
        lock (_lock)
        {
            if (_held is null || _discarded)
                return;
            foreach (var held in _held)
                inner.Emit(held);
            _held = null;
        }
    }

    /// <summary>The start-up failed: drops what was held and every later line, unless the gate is already open.</summary>
    public void DiscardIfHeld()
    {
        lock (_lock)
        {
            if (_held is null)
                return;
            _held = null;
            _discarded = true;
        }
    }
}
