using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Stasis.Actors.OpenTelemetry;

/// <summary>
/// Adds the bus's traces and metrics to an OpenTelemetry pipeline:
/// <code>
/// builder.Services.AddOpenTelemetry()
///     .WithTracing(t => t.AddStasisInstrumentation().AddOtlpExporter())
///     .WithMetrics(m => m.AddStasisInstrumentation().AddOtlpExporter());
/// </code>
/// See <see cref="StasisTelemetry"/> for the activities and their tags, and README's metrics table for the instruments.
/// </summary>
public static class StasisInstrumentationExtensions
{
    /// <summary>Listens to the bus's <see cref="System.Diagnostics.ActivitySource"/> (<see cref="StasisTelemetry.ActivitySourceName"/>).</summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static TracerProviderBuilder AddStasisInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(StasisTelemetry.ActivitySourceName);
    }

    /// <summary>Collects the bus's meter (<see cref="StasisTelemetry.MeterName"/>).</summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static MeterProviderBuilder AddStasisInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(StasisTelemetry.MeterName);
    }
}
