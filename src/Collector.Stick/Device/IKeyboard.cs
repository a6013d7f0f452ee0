using System.Diagnostics;

namespace Collector.Stick.Device;

/// <summary>
/// The technician's keyboard, where collect asks a question (which group tag). Tests pass one
/// that presses keys on a manual clock, so a 60-second wait takes no time.
/// </summary>
public interface IKeyboard
{
    /// <summary>False when collect's input is redirected (a script, a pipe, NUL): nobody can press a key.</summary>
    bool CanAsk { get; }

    /// <summary>The character of the next key pressed within <paramref name="wait"/> (Enter is <c>'\r'</c>), or null when none was.</summary>
    Task<char?> ReadKeyAsync(TimeSpan wait, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets keys pressed before the question was shown (a second Enter after <c>Collect</c>, a
    /// stray digit): they would answer a question nobody saw, and Enter takes the first tag.
    /// </summary>
    void DiscardPending()
    {
    }
}

/// <summary>
/// The console's keyboard. It polls <see cref="Console.KeyAvailable"/> rather than blocking in
/// <see cref="Console.ReadKey(bool)"/>, so a wait that ends without a key leaves no read behind.
/// </summary>
public sealed class ConsoleKeyboard : IKeyboard
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    public bool CanAsk => !Console.IsInputRedirected;

    public void DiscardPending()
    {
        while (Console.KeyAvailable)
        {
            Console.ReadKey(intercept: true);
        }
    }

    public async Task<char?> ReadKeyAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            if (Console.KeyAvailable)
            {
                return Console.ReadKey(intercept: true).KeyChar;
            }

            if (Stopwatch.GetElapsedTime(started) >= wait)
            {
                return null;
            }

            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
        }
    }
}
