using Collector.Core.Errors;

namespace Collector.Workstation.Hub;

/// <summary>
/// One writer at a time on a hub: an exclusive lock on <c>hub.db.lock</c> beside it (flock on
/// Linux, a sharing lock on Windows), held while a sync, export, import or register runs. A second one
/// waits briefly, then says who to wait for.
/// </summary>
public sealed class HubLock : IDisposable
{
    private readonly FileStream stream;

    private HubLock(FileStream stream) => this.stream = stream;

    public static HubLock Acquire(string hubPath, TimeSpan wait)
    {
        var path = hubPath + ".lock";
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                return new HubLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(100);
            }
            catch (IOException e)
            {
                throw new StorageException(
                    $"the hub {hubPath} is in use by another collector (a sync, export, import or register); try again when it has finished", e);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new StorageException($"cannot lock the hub {hubPath}: no permission to write {path}", e);
            }
        }
    }

    public void Dispose() => stream.Dispose();
}
