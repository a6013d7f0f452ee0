using System.Text;
using System.Text.Json;
using Collector.Core.Errors;

namespace Collector.Workstation.Export;

/// <summary>
/// The manifest of one tenant's files, written as the files are: each file is added right after
/// it is on the disk and before its devices are marked, so every marked file is listed, whatever
/// stops the export (a full disk, a crash). The file is valid JSON after every addition: an entry
/// goes in where the closing <c>]}</c> was, and the closing follows it. Rewriting the whole
/// manifest per file would cost more than the files (it grows by 500 serials and keys each);
/// this writes each entry once. An addition that fails is taken back by writing the closing over
/// its start, in place, which needs no new space on a full disk.
/// </summary>
internal sealed class ManifestWriter(string path, string tenant, string format, string source, DateTimeOffset createdAt) : IDisposable
{
    private static readonly byte[] Closing = "\n  ]\n}\n"u8.ToArray();
    private FileStream? stream;
    private int entries;

    public string Path => path;

    /// <summary>Adds <paramref name="file"/>; a failure leaves the manifest as it was and is a <see cref="StorageException"/>.</summary>
    public void Add(ManifestFile file)
    {
        var entry = Indent(JsonSerializer.Serialize(file, JsonOutput.Options));
        try
        {
            if (stream is null)
            {
                Start();
            }

            Append((entries == 0 ? "\n" : ",\n") + entry);
            entries++;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"cannot write the manifest {path} ({e.Message})", e);
        }
    }

    /// <summary>Flushes the manifest to the disk and closes it (the end of the tenant's files).</summary>
    public void Complete()
    {
        if (stream is null)
        {
            return;
        }

        try
        {
            stream.Flush(flushToDisk: true);
        }
        catch (IOException e)
        {
            throw new StorageException($"cannot write the manifest {path} ({e.Message})", e);
        }
        finally
        {
            stream.Dispose();
            stream = null;
        }
    }

    public void Dispose()
    {
        stream?.Dispose();
        stream = null;
    }

    // Unbuffered (bufferSize 0): each write goes to the OS at once, so a process killed next
    // keeps it and a full disk fails the write that hit it; the disk sync comes at the end.
    private void Start()
    {
        var header = Encoding.UTF8.GetBytes(
            $"{{\n  \"tenant\": {Json(tenant)},\n  \"format\": {Json(format)},\n  \"source\": {Json(source)},\n  \"createdAt\": {Json(createdAt)},\n  \"files\": [");
        stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        try
        {
            stream.Write(header);
            stream.Write(Closing);
        }
        catch
        {
            stream.Dispose();
            stream = null;
            File.Delete(path); // half a header is no manifest
            throw;
        }
    }

    private void Append(string entry)
    {
        var end = stream!.Length - Closing.Length;
        try
        {
            stream.Position = end;
            stream.Write(Encoding.UTF8.GetBytes(entry));
            stream.Write(Closing);
        }
        catch (IOException)
        {
            TakeBack(end);
            throw;
        }
    }

    // The closing over the start of the failed entry (bytes the file already had: no new space
    // needed), then the rest cut off. If even that fails, the first failure is the one reported.
    private void TakeBack(long end)
    {
        try
        {
            stream!.Position = end;
            stream.Write(Closing);
            stream.SetLength(end + Closing.Length);
        }
        catch (IOException)
        {
        }
    }

    private static string Indent(string json) => "    " + json.ReplaceLineEndings("\n    ");

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, JsonOutput.Options);
}
