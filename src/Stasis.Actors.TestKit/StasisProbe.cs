using Akka.TestKit;

namespace Stasis.Actors.TestKit;

/// <summary>
/// A <see cref="TestProbe"/> subscribed to a topic, with the subscription's framing handled: its "Subscribe" change is
/// consumed when it is made, and <see cref="ExpectFinalMessage"/> checks the final "Unsubscribe" change. Made by
/// <see cref="StasisTestKitExtensions.SubscribeProbe"/>.
/// </summary>
/// <remarks>
/// Every expectation waits up to the given timeout, or the TestKit's default (<c>akka.test.single-expect-default</c>,
/// scaled by <c>akka.test.timefactor</c>), and fails the test with a message naming the topic and subscription.
/// </remarks>
public sealed class StasisProbe : IAsyncDisposable
{
    internal StasisProbe(TestProbe probe, Topic topic, Subscription subscription)
    {
        Probe = probe;
        Topic = topic;
        Subscription = subscription;
    }

    /// <summary>The probe receiving one <see cref="StasisEnvelope"/> per message.</summary>
    public TestProbe Probe { get; }

    /// <summary>The topic the probe is subscribed to.</summary>
    public Topic Topic { get; }

    /// <summary>The probe's subscription.</summary>
    public Subscription Subscription { get; }

    /// <summary>Expects the next envelope, whatever it carries.</summary>
    /// <param name="timeout">How long to wait; null for the TestKit's default.</param>
    public StasisEnvelope ExpectEnvelope(TimeSpan? timeout = null) => Probe.ExpectMsg<StasisEnvelope>(timeout);

    /// <summary>Expects the next message to carry a <typeparamref name="T"/> payload, and returns the payload.</summary>
    /// <param name="timeout">How long to wait; null for the TestKit's default.</param>
    /// <exception cref="StasisExpectationException">The next message carries another payload (named in the exception).</exception>
    public T ExpectMessage<T>(TimeSpan? timeout = null) where T : class => Expect<T>(null, timeout).Payload;

    /// <summary>Expects the next message to be of <paramref name="type"/>, and returns it.</summary>
    /// <param name="type">The expected message type.</param>
    /// <param name="timeout">How long to wait; null for the TestKit's default.</param>
    public StasisMessage<T> ExpectMessage<T>(MessageType<T> type, TimeSpan? timeout = null) where T : class =>
        Expect<T>(type ?? throw new ArgumentNullException(nameof(type)), timeout);

    /// <summary>Expects the next message to be this subscription's final message, and returns it.</summary>
    /// <param name="timeout">How long to wait; null for the TestKit's default.</param>
    public StasisMessage ExpectFinalMessage(TimeSpan? timeout = null)
    {
        var message = ExpectEnvelope(timeout).Message;
        if (!Subscription.IsFinalMessage(message))
            throw new StasisExpectationException($"Expected the final message of {Describe()}, got {DescribeMessage(message)}.");
        return message;
    }

    /// <summary>Expects no message for <paramref name="duration"/> (the TestKit's default when null).</summary>
    /// <param name="duration">How long nothing may arrive.</param>
    public void ExpectNoMessage(TimeSpan? duration = null) => Probe.ExpectNoMsg(duration ?? Probe.Dilated(TimeSpan.FromMilliseconds(100)));

    /// <summary>Publishes <paramref name="payload"/> on the probe's topic and expects it back as the next message.</summary>
    /// <param name="type">The message type to publish.</param>
    /// <param name="payload">The payload.</param>
    /// <param name="timeout">How long to wait; null for the TestKit's default.</param>
    public StasisMessage<T> PublishAndExpect<T>(MessageType<T> type, T payload, TimeSpan? timeout = null) where T : class
    {
        ArgumentNullException.ThrowIfNull(type);
        Topic.Publish(type, payload);
        return ExpectMessage(type, timeout);
    }

    /// <summary>Unsubscribes and expects the final message.</summary>
    /// <param name="timeout">How long to wait; null for the TestKit's default.</param>
    public StasisMessage UnsubscribeAndExpectFinal(TimeSpan? timeout = null)
    {
        Subscription.Unsubscribe();
        return ExpectFinalMessage(timeout);
    }

    /// <summary>Unsubscribes and waits until the final message was sent to the probe.</summary>
    public ValueTask DisposeAsync() => Subscription.DisposeAsync();

    /// <inheritdoc />
    public override string ToString() => Describe();

    private StasisMessage<T> Expect<T>(MessageType? type, TimeSpan? timeout) where T : class
    {
        var message = ExpectEnvelope(timeout).Message;
        if (message is StasisMessage<T> typed && (type is null || ReferenceEquals(message.Type, type)))
            return typed;
        var wanted = type is null ? $"a {typeof(T).Name} payload" : $"message type {type.Name}";
        throw new StasisExpectationException($"Expected {wanted} on {Describe()}, got {DescribeMessage(message)}.");
    }

    private string Describe() => $"probe subscription {Subscription.Name} on topic {Topic.Name}";

    private static string DescribeMessage(StasisMessage message) =>
        $"message type {message.Type.Name} with {message.Data?.GetType().Name ?? "no"} payload {message.Data}";
}
