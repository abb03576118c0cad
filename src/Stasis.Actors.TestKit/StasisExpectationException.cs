namespace Stasis.Actors.TestKit;

/// <summary>An expectation of a <see cref="StasisProbe"/> or a cache wait failed; the message says what arrived.</summary>
public sealed class StasisExpectationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was expected and what arrived.</param>
    public StasisExpectationException(string message) : base(message)
    {
    }
}
