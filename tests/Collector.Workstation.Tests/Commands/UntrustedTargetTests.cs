using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Collector.Testing;
using Collector.Workstation.Hub;
using Collector.Workstation.Tables;
using Collector.Workstation.Tests.Sync;

namespace Collector.Workstation.Tests.Commands;

/// <summary>
/// Option values and table targets that do not hold together, and a table endpoint that never
/// answers: one line, the documented exit code, and nothing touched that need not be.
/// </summary>
public sealed class UntrustedTargetTests : IDisposable
{
    private static readonly DateTimeOffset Day = DateTimeOffset.UtcNow.AddDays(-3);
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private string HubPath => temp.File("desk", "hub.db");

    [Fact]
    public async Task A_table_file_is_read_by_collector_and_its_second_line_is_not_taken_as_an_option()
    {
        TestSticks.Create(temp.File("a"), Day, TestSticks.Samples(1, 2, Day.AddHours(1)));
        var file = temp.Write("target.txt",
            "\n  https://contoso.table.core.windows.net/autopilothashes?sv=2024-08-04&sp=r&se=2099-01-01T00:00:00Z&sig=c2VjcmV0  \n--table-name injected\n");

        var result = await Cli.RunAsync("sync", temp.File("a"), "--hub", HubPath, "--table", "@" + file);

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("lacks a (add) and u (update)", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("injected", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(HubPath));
    }

    [Fact]
    public async Task A_missing_table_file_is_invalid_input_in_one_line()
    {
        var missing = temp.File("nowhere.txt");

        var result = await Cli.RunAsync("sync", temp.Path, "--hub", HubPath, "--table", "@" + missing);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"collector: --table @{missing}: no such file", result.Error.Trim());
        Assert.False(File.Exists(HubPath));
    }

    [Fact]
    public async Task A_folder_given_as_the_table_file_or_the_hub_is_called_a_folder()
    {
        var folder = temp.File("folder");
        Directory.CreateDirectory(folder);

        var table = await Cli.RunAsync("sync", temp.Path, "--hub", HubPath, "--table", "@" + folder);
        var hub = await Cli.RunAsync("sync", temp.Path, "--hub", folder);

        Assert.Equal(2, table.ExitCode);
        Assert.Contains($"{folder} is a folder, not a file", table.Error, StringComparison.Ordinal);
        Assert.Equal(3, hub.ExitCode);
        Assert.Contains($"the hub {folder} is a folder, not a file", hub.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UseDevelopmentStorage=false", "UseDevelopmentStorage")]
    [InlineData("AccountName=contoso", "AccountKey")]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=c2VjcmV0;TableEndpoint=not a url", "TableEndpoint")]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=not!base64;EndpointSuffix=core.windows.net", "AccountKey is not base64")]
    public async Task A_malformed_connection_string_is_refused_before_any_stick_is_merged(string target, string named)
    {
        TestSticks.Create(temp.File("a"), Day, TestSticks.Samples(1, 2, Day.AddHours(1)));

        var result = await Cli.RunAsync("sync", temp.File("a"), "--hub", HubPath, "--table", target);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(named, result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(HubPath));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1e3")]
    [InlineData("")]
    [InlineData("99999999999")]
    public async Task A_batch_size_that_is_not_a_whole_number_is_a_usage_error_in_one_line(string value)
    {
        var result = await Cli.RunAsync("export", "--hub", HubPath, "--out", temp.File("out"), "--batch-size", value);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"--batch-size must be a whole number from 1 to 500, not '{value}'", result.Error.Trim());
        Assert.False(Directory.Exists(temp.File("out")));
    }

    [Fact]
    public async Task A_table_endpoint_that_accepts_and_never_answers_ends_in_exit_4_with_progress_and_the_merge_kept()
    {
        using var silent = new SilentListener();
        var stick = TestSticks.Create(temp.File("a"), Day, TestSticks.Samples(1, 3, Day.AddHours(1)));
        var options = TableClients.DefaultOptions();
        options.Retry.MaxRetries = 3;
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.Retry.NetworkTimeout = TimeSpan.FromMilliseconds(300);
        var target = $"DefaultEndpointsProtocol=http;AccountName={Azurite.AccountName};AccountKey={Azurite.AccountKey};TableEndpoint=http://127.0.0.1:{silent.Port}/{Azurite.AccountName}";

        var result = await SyncRunner.RunAsync(SyncRunner.Options(HubPath, target, stick), new(new TableClients(options), TimeSpan.FromSeconds(1)));

        Assert.Equal(4, result.ExitCode);
        Assert.Contains($"the table service at 127.0.0.1:{silent.Port} accepted the connection but did not answer", result.Error, StringComparison.Ordinal);
        Assert.Contains("no answer yet (try 2 of 4)", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("NetworkTimeout", result.Error, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(3, json.RootElement.GetProperty("captures").GetProperty("new").GetInt32());
        Assert.Contains("did not answer", json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        using var hub = HubStore.Open(HubPath, TimeProvider.System, lockWait: TimeSpan.Zero);
        Assert.Equal(3, hub.CountCaptures());
    }

    [Fact]
    public async Task A_request_that_outlives_its_deadline_stops_retrying_and_says_how_long_it_waited()
    {
        using var silent = new SilentListener();
        var stick = TestSticks.Create(temp.File("a"), Day, TestSticks.Samples(1, 1, Day.AddHours(1)));
        var options = TableClients.DefaultOptions();
        options.Retry.MaxRetries = 100; // left to its retries alone, the SDK would wait 100 x 200 ms and more
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(10);
        options.Retry.NetworkTimeout = TimeSpan.FromMilliseconds(200);
        var target = $"DefaultEndpointsProtocol=http;AccountName={Azurite.AccountName};AccountKey={Azurite.AccountKey};TableEndpoint=http://127.0.0.1:{silent.Port}/{Azurite.AccountName}";

        var result = await SyncRunner.RunAsync(SyncRunner.Options(HubPath, target, stick) with { Json = false },
            new(new TableClients(options, deadline: TimeSpan.FromSeconds(2)), TimeSpan.FromSeconds(1)));

        Assert.Equal(4, result.ExitCode);
        Assert.Matches(@"did not answer within 2 s \(\d+ tries of up to 200 ms each\)", result.Error);
        Assert.Contains("check that the TARGET points at a table service", result.Error, StringComparison.Ordinal);
        Assert.Contains("1 devices wait for upload", result.Error, StringComparison.Ordinal);
    }

    /// <summary>A TCP listener on 127.0.0.1 that accepts every connection and never sends a byte.</summary>
    private sealed class SilentListener : IDisposable
    {
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);
        private readonly List<Socket> accepted = [];
        private readonly CancellationTokenSource stop = new();

        public SilentListener()
        {
            listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

        public void Dispose()
        {
            stop.Cancel();
            listener.Stop();
            lock (accepted)
            {
                accepted.ForEach(s => s.Dispose());
            }

            stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var socket = await listener.AcceptSocketAsync(stop.Token);
                    lock (accepted)
                    {
                        accepted.Add(socket);
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
