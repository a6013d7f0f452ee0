using System.Text;

namespace Collector.Workstation;

/// <summary>
/// A writer that passes every line through <see cref="SecretRedactor.Redact"/> before it reaches
/// the real one. <see cref="WorkstationContext"/> wraps stdout and stderr in it for the whole run, so
/// that text we do not write ourselves (System.CommandLine echoing a mistyped token, say) cannot
/// carry a signature out either. Lines are held until their end, so a secret written in pieces
/// is still whole when redacted.
/// </summary>
public sealed class RedactingWriter(TextWriter inner, SecretRedactor secrets) : TextWriter
{
    private readonly StringBuilder line = new();

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        line.Append(value);
        if (value == '\n')
        {
            Emit();
        }
    }

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        line.Append(value);
        if (value.Contains('\n', StringComparison.Ordinal))
        {
            Emit();
        }
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override Task WriteAsync(char value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync()
    {
        WriteLine();
        return Task.CompletedTask;
    }

    public override void Flush()
    {
        if (line.Length > 0)
        {
            inner.Write(secrets.Redact(line.ToString()));
            line.Clear();
        }

        inner.Flush();
    }

    public override Task FlushAsync()
    {
        Flush();
        return Task.CompletedTask;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Flush();
        }

        base.Dispose(disposing);
    }

    // Writes everything up to the last line end; a partial line waits for the rest of itself.
    private void Emit()
    {
        var text = line.ToString();
        var end = text.LastIndexOf('\n') + 1;
        inner.Write(secrets.Redact(text[..end]));
        line.Clear().Append(text, end, text.Length - end);
    }
}
