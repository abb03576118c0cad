using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Stasis.Actors.Configuration;

namespace Stasis.Actors.Hosting;

/// <summary>
/// Registers the Stasis message bus with an Akka.Hosting (<c>Microsoft.Extensions.Hosting</c>) application.
/// </summary>
/// <remarks>
/// <para>Two lines host the bus in any .NET service:</para>
/// <code>
/// var builder = Host.CreateApplicationBuilder(args);
/// builder.Services.AddStasis("pbx");          // an ActorSystem with the bus, and StasisBus in DI
/// </code>
/// <para>or, inside an existing <c>AddAkka</c> call, <c>akka.WithStasis()</c>. The bus is started with the actor system
/// (an Akka extension), so it exists before any actor started by <c>WithActors</c>/<c>StartActors</c> runs. It is
/// shut down by the actor system's coordinated shutdown, which the hosted service runs when the host stops: every live
/// subscription then receives its queued messages and its final message.</para>
/// <para>Configuration precedence, highest first: <see cref="StasisOptions"/> given here, the application's own HOCON
/// (<c>AddHocon</c>), the library's embedded <c>stasis.conf</c> defaults.</para>
/// </remarks>
public static class StasisHostingExtensions
{
    /// <summary>
    /// Adds the bus to the actor system being configured: the embedded <c>stasis { }</c> defaults as a fallback,
    /// <paramref name="configure"/>'s overrides in front, and the bus extension started with the system.
    /// </summary>
    /// <param name="builder">The Akka.Hosting builder.</param>
    /// <param name="configure">Optional code-side settings.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static AkkaConfigurationBuilder WithStasis(this AkkaConfigurationBuilder builder, Action<StasisOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new StasisOptions();
        configure?.Invoke(options);
        builder.AddHocon(StasisSettings.DefaultConfig, HoconAddMode.Append);
        var overrides = options.ToHocon();
        if (!overrides.IsEmpty)
            builder.AddHocon(overrides, HoconAddMode.Prepend);
        return builder.WithExtension<StasisBusProvider>();
    }

    /// <summary>
    /// Adds an actor system named <paramref name="actorSystemName"/> hosting the bus (see <see cref="WithStasis"/>), and
    /// registers its <see cref="StasisBus"/> as a singleton service.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="actorSystemName">The actor system's name.</param>
    /// <param name="configure">Optional further configuration of the actor system (HOCON, actors, ...).</param>
    /// <param name="configureStasis">Optional code-side bus settings.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddStasis(
        this IServiceCollection services,
        string actorSystemName,
        Action<AkkaConfigurationBuilder, IServiceProvider>? configure = null,
        Action<StasisOptions>? configureStasis = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddAkka(actorSystemName, (akka, provider) =>
        {
            akka.WithStasis(configureStasis);
            configure?.Invoke(akka, provider);
        });
        services.AddSingleton(provider => StasisBus.Get(provider.GetRequiredService<ActorSystem>()));
        return services;
    }
}
