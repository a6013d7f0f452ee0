using System.Buffers.Binary;

namespace Collector.Core.Storage;

/// <summary>What a file is, read from its first 100 bytes without letting SQLite touch it.</summary>
public enum DatabaseFileKind
{
    Missing,

    /// <summary>0 bytes: SQLite created it but never committed (a capture killed at its very start).</summary>
    Empty,

    NotSqlite,

    /// <summary>SQLite, but another application id: not ours, or ours of another kind (stick vs hub).</summary>
    Foreign,

    Ours,
}

/// <summary>The header of a SQLite file: magic, application id and user_version (fileformat2.html).</summary>
public sealed record DatabaseFile(DatabaseFileKind Kind, int ApplicationId, int UserVersion)
{
    private static readonly byte[] Magic = "SQLite format 3\0"u8.ToArray();

    /// <summary>
    /// Reads the header of <paramref name="path"/> and says whether it is a database with
    /// <paramref name="applicationId"/>. Opens the file read-only and shared: never changes a byte.
    /// </summary>
    public static DatabaseFile Inspect(string path, int applicationId)
    {
        if (!File.Exists(path))
        {
            return new DatabaseFile(DatabaseFileKind.Missing, 0, 0);
        }

        Span<byte> header = stackalloc byte[100];
        int read;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }

        if (read == 0)
        {
            return new DatabaseFile(DatabaseFileKind.Empty, 0, 0);
        }

        if (read < header.Length || !header[..16].SequenceEqual(Magic))
        {
            return new DatabaseFile(DatabaseFileKind.NotSqlite, 0, 0);
        }

        var userVersion = BinaryPrimitives.ReadInt32BigEndian(header[60..]);
        var appId = BinaryPrimitives.ReadInt32BigEndian(header[68..]);
        return new DatabaseFile(appId == applicationId ? DatabaseFileKind.Ours : DatabaseFileKind.Foreign, appId, userVersion);
    }
}
