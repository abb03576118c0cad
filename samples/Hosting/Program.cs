using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Stasis.Actors;
using Stasis.Actors.Hosting;
using Stasis.Actors.OpenTelemetry;

// <readme:hosting>
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,        // appsettings.json next to the program
});
builder.Services.AddStasis("my-pbx");                  // an ActorSystem with the bus; StasisBus is injectable;
                                                       // settings from appsettings.json's "Stasis" section
builder.Services.AddHealthChecks().AddStasis();        // Degraded while overloaded, Unhealthy while shutting down
builder.Services.AddOpenTelemetry()                    // add your exporter, e.g. .AddOtlpExporter()
    .WithTracing(tracing => tracing.AddStasisInstrumentation())
    .WithMetrics(metrics => metrics.AddStasisInstrumentation());
using var host = builder.Build();
await host.StartAsync();

var bus = host.Services.GetRequiredService<StasisBus>();
var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
Console.WriteLine($"high-water mark {bus.Settings.HighWaterMark}, health {health.Status}");   // 1000, Healthy
await host.StopAsync();                                // every subscription gets its final message
// </readme:hosting>
