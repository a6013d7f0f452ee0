using System.Globalization;
using Collector.Core.Captures;
using Collector.Core.Errors;

namespace Collector.Stick.Commands;

/// <summary>The group tag a capture gets, and where it came from (for messages).</summary>
public sealed record ChosenTag(string Tag, string Source);

/// <summary>
/// Which group tag this device gets. A stick may offer several (stick.json's <c>groupTags</c>):
/// then <c>Collect 2</c> or <c>--group-tag NAME</c> chooses one of them, and without either collect
/// shows them numbered and takes a key — a digit, Enter for the first — or, after
/// <see cref="Timeout"/> without one, the first, and says so. A number or name not on the list is
/// refused (exit 2) before anything is read or saved. With one tag or none, <c>--group-tag</c>
/// overrides it as it always has.
/// </summary>
/// <remarks>
/// When collect's input is redirected (a script, a pipe, <c>&lt; NUL</c>) nobody can press a key,
/// and a 60-second wait would only slow the script down to take a tag nobody chose: collect refuses
/// (exit 2) and says to pass the tag's number or name. The timeout is for a person who walked away
/// from the screen; a script says what it wants.
/// </remarks>
public static class GroupTagChoice
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(250);

    /// <param name="option">--group-tag, if given.</param>
    /// <param name="number">The tag's number on the list (<c>Collect 2</c>), if given.</param>
    /// <param name="screen">Where the question goes: the screen, or stderr under --json.</param>
    public static async Task<ChosenTag> DecideAsync(
        string? option, string? number, StickSettings? settings, StickPaths stick, StickContext context, TextWriter screen, CancellationToken cancellationToken)
    {
        var tags = settings?.GroupTags ?? [];
        if (number is not null)
        {
            return new ChosenTag(tags[Index(number, tags, stick)], $"choice {number.Trim()} of {stick.Settings}");
        }

        if (option is not null)
        {
            return tags.Count <= 1
                ? new ChosenTag(option.Trim(), "--group-tag")
                : new ChosenTag(tags.FirstOrDefault(t => string.Equals(t, option.Trim(), StringComparison.OrdinalIgnoreCase))
                    ?? throw new InvalidInputException($"group tag '{DisplayText.Escape(option.Trim())}' is not on this stick's list ({List(tags)}): choose one of them; nothing was saved"),
                    "--group-tag");
        }

        if (tags.Count <= 1)
        {
            return new ChosenTag(tags.Count == 1 ? tags[0] : "", stick.Settings);
        }

        if (!context.Keys.CanAsk)
        {
            throw new InvalidInputException(
                $"this stick offers {tags.Count} group tags ({List(tags)}) and nobody can choose here (input is redirected): " +
                "pass the tag's number (Collect 2) or --group-tag NAME; nothing was saved");
        }

        return await AskAsync(tags, stick, context, screen, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<ChosenTag> AskAsync(IReadOnlyList<string> tags, StickPaths stick, StickContext context, TextWriter screen, CancellationToken cancellationToken)
    {
        context.Keys.DiscardPending();
        await screen.WriteLineAsync().ConfigureAwait(false);
        await screen.WriteLineAsync("  Group tag for this device:").ConfigureAwait(false);
        for (var i = 0; i < tags.Count; i++)
        {
            await screen.WriteLineAsync($"    {i + 1}  {DisplayText.Escape(tags[i])}").ConfigureAwait(false);
        }

        await screen.WriteLineAsync($"  Press 1-{tags.Count} (Enter = 1). With no key in {Timeout.TotalSeconds:N0} s, 1 is taken.").ConfigureAwait(false);
        await screen.FlushAsync(cancellationToken).ConfigureAwait(false);

        var deadline = context.Clock.GetUtcNow() + Timeout;
        var nudged = false;
        while (context.Clock.GetUtcNow() < deadline)
        {
            var key = await context.Keys.ReadKeyAsync(Slice, cancellationToken).ConfigureAwait(false);
            var chosen = key switch
            {
                '\r' or '\n' => 1,
                >= '1' and <= '9' when key.Value - '0' <= tags.Count => key.Value - '0',
                _ => 0,
            };
            if (chosen > 0)
            {
                await screen.WriteLineAsync($"  Chosen: {chosen} ({DisplayText.Escape(tags[chosen - 1])})").ConfigureAwait(false);
                return new ChosenTag(tags[chosen - 1], $"choice {chosen} of {stick.Settings}");
            }

            if (key is not null && !nudged)
            {
                // Another key (a letter, a number past the list): say once what is wanted, keep waiting.
                nudged = true;
                await screen.WriteLineAsync($"  Press a number from 1 to {tags.Count}, or Enter for 1.").ConfigureAwait(false);
            }
        }

        await screen.WriteLineAsync($"  No key in {Timeout.TotalSeconds:N0} s: group tag 1 ({DisplayText.Escape(tags[0])}) was taken.").ConfigureAwait(false);
        return new ChosenTag(tags[0], $"the first of {stick.Settings}, taken after {Timeout.TotalSeconds:N0} s without a key");
    }

    private static int Index(string number, IReadOnlyList<string> tags, StickPaths stick)
    {
        if (tags.Count == 0)
        {
            throw new InvalidInputException($"this stick offers no group tags to choose from ({stick.Settings} lists none): run Collect without '{DisplayText.Escape(number)}'; nothing was saved");
        }

        return int.TryParse(number.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= tags.Count
            ? n - 1
            : throw new InvalidInputException($"'{DisplayText.Escape(number)}' is not a group tag on this stick: choose 1 to {tags.Count} ({List(tags)}); nothing was saved");
    }

    private static string List(IReadOnlyList<string> tags) =>
        string.Join(", ", tags.Select((t, i) => $"{i + 1} {DisplayText.Escape(t)}"));
}
