namespace Stasis.Actors.Internal;

/// <summary>
/// The end of a subscription as waiters see it: joins complete, and pending publish-sync deliveries complete false,
/// once the final message's handler returned (<see cref="Finish"/>). Both sources are made on first use only: most
/// subscriptions are never joined and never sync-published to.
/// </summary>
internal sealed class Completion
{
    private TaskCompletionSource? _joined;
    private CancellationTokenSource? _ended;
    private int _finished;

    public bool IsFinished => Volatile.Read(ref _finished) == 1;

    /// <summary>True once a join made the join source (for specs: publish-sync must not make it).</summary>
    public bool HasJoinSource => Volatile.Read(ref _joined) is not null;

    /// <summary>Completes once <see cref="Finish"/> ran.</summary>
    public Task Joined()
    {
        if (IsFinished)
            return Task.CompletedTask;
        var joined = Made(ref _joined, static () => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        // Finish may have run before the source existed: it sets the flag, then reads the source (a full fence between);
        // this makes the source, then reads the flag. So one of the two sees the other and the source completes.
        if (IsFinished)
            joined.TrySetResult();
        return joined.Task;
    }

    /// <summary>
    /// Makes <paramref name="done"/> complete false if the subscription finishes before handling it (a message told to a
    /// stopped actor goes to dead letters without a trace). The registration is dropped once it completes.
    /// </summary>
    public void Register(TaskCompletionSource<bool> done)
    {
        var ended = Made(ref _ended, static () => new CancellationTokenSource());
        var registration = ended.Token.Register(static state => ((TaskCompletionSource<bool>)state!).TrySetResult(false), done);
        done.Task.ContinueWith(static (_, state) => ((CancellationTokenRegistration)state!).Dispose(), registration,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        if (IsFinished) // finished before the token source existed: Finish may not have seen it
            done.TrySetResult(false);
    }

    public void Finish()
    {
        Interlocked.Exchange(ref _finished, 1);
        Volatile.Read(ref _joined)?.TrySetResult();
        Volatile.Read(ref _ended)?.Cancel();
    }

    private static T Made<T>(ref T? field, Func<T> make) where T : class
    {
        if (Volatile.Read(ref field) is null)
            Interlocked.CompareExchange(ref field, make(), null);
        return Volatile.Read(ref field)!;
    }
}
