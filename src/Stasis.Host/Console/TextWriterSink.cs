using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace Stasis.Host.Console;

/// <summary>A Serilog sink that writes plain text to a <see cref="TextWriter"/> (a redirected or injected output).</summary>
internal sealed class TextWriterSink(TextWriter writer, ITextFormatter formatter) : ILogEventSink
{
    /// <inheritdoc />
    public void Emit(LogEvent logEvent)
    {
        formatter.Format(logEvent, writer);
        writer.Flush();
    }
}
