using Collector.Core.Captures;
using Collector.Core.Errors;
using Collector.Core.Inputs;

namespace Collector.Stick.Device;

/// <summary>
/// Reads the hash with the ADK's <c>oa3tool.exe /Report</c> (design section 3, source 3): in a
/// fresh temporary folder holding our <c>OA3.cfg</c> and <c>input.xml</c>, with a time limit; the
/// <c>OA3.xml</c> it writes is read and deleted. In WinPE, <c>PCPKsp.dll</c> beside the tool is
/// copied to System32 and registered first, or the hash carries no TPM data.
/// We never ship oa3tool.exe or PCPKsp.dll; an admin copies them into <c>collector\tools</c>.
/// </summary>
public sealed class Oa3Tool(IDevicePlatform platform, IProcessRunner processes)
{
    public const string ExeName = StickLayout.Oa3ToolFile;
    public const string PcpKspName = StickLayout.PcpKspFile;
    public const string ConfigName = "OA3.cfg";
    public const string InputName = "input.xml";
    public const string ReportName = "OA3.xml";

    public static readonly TimeSpan RegisterTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The configuration oa3tool reads: file-based (no key server), reporting to OA3.xml in the
    /// working folder. Relative paths, so the temporary folder can be anywhere.
    /// </summary>
    public const string DefaultConfig = """
        <?xml version="1.0" encoding="utf-8"?>
        <OA3>
          <FileBased>
            <InputKeyXMLFile>input.xml</InputKeyXMLFile>
          </FileBased>
          <OutputData>
            <AssembledBinaryFile>OA3.bin</AssembledBinaryFile>
            <ReportedXMLFile>OA3.xml</ReportedXMLFile>
          </OutputData>
        </OA3>

        """;

    /// <summary>A placeholder key: with /NoKeyCheck oa3tool only needs the file to exist and parse.</summary>
    public const string DefaultInput = """
        <?xml version="1.0" encoding="utf-8"?>
        <Key>
          <ProductKey>XXXXX-XXXXX-XXXXX-XXXXX-XXXXX</ProductKey>
          <ProductKeyID>0000000000000</ProductKeyID>
          <ProductKeyState>0</ProductKeyState>
        </Key>

        """;

    public static bool IsPresent(string toolsFolder) => File.Exists(Path.Combine(toolsFolder, ExeName));

    /// <summary>Runs oa3tool and returns the base64 hash from its report; <see cref="NoHashException"/> when it gives none.</summary>
    public async Task<string> ReadHashAsync(string toolsFolder, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var tool = Path.Combine(toolsFolder, ExeName);
        var work = Directory.CreateTempSubdirectory("collect-oa3-").FullName;
        try
        {
            CopyOrWrite(Path.Combine(toolsFolder, ConfigName), Path.Combine(work, ConfigName), DefaultConfig);
            CopyOrWrite(Path.Combine(toolsFolder, InputName), Path.Combine(work, InputName), DefaultInput);

            var outcome = await processes.RunAsync(
                new ProcessRequest(tool, ["/Report", $"/ConfigFile={ConfigName}", "/NoKeyCheck"], work, timeout),
                cancellationToken).ConfigureAwait(false);
            if (outcome.TimedOut)
            {
                throw new NoHashException(
                    $"oa3tool.exe did not finish within {timeout.TotalSeconds:0} s and was stopped; nothing was saved: try again, or boot the device to OOBE and run from Shift+F10");
            }

            var report = Path.Combine(work, ReportName);
            if (!File.Exists(report))
            {
                throw new NoHashException(
                    $"oa3tool.exe exited with code {outcome.ExitCode} and wrote no {ReportName}{Quote(outcome.Output)}: check it is the Windows ADK's oa3tool for this architecture, or boot to OOBE and run from Shift+F10");
            }

            try
            {
                return Oa3Report.ReadHash(report);
            }
            catch (InvalidInputException e)
            {
                throw new NoHashException($"oa3tool.exe wrote a report without a usable hash ({e.Message}): boot to OOBE and run from Shift+F10", e);
            }
            finally
            {
                File.Delete(report);
            }
        }
        finally
        {
            TryDelete(work);
        }
    }

    /// <summary>
    /// In WinPE: copies PCPKsp.dll from the tools folder into System32 and registers it with
    /// <c>rundll32 PCPKsp.dll,DllInstall</c>. Returns what a technician should know; a failure
    /// never stops the capture (the hash is then flagged no-tpm).
    /// </summary>
    public async Task<string?> RegisterPcpKspAsync(string toolsFolder, CancellationToken cancellationToken)
    {
        var source = Path.Combine(toolsFolder, PcpKspName);
        if (!File.Exists(source))
        {
            return null;
        }

        var target = Path.Combine(platform.SystemDirectory, PcpKspName);
        try
        {
            // Already there from an earlier capture in this WinPE session: it may be loaded, so leave it.
            if (!File.Exists(target) || new FileInfo(target).Length != new FileInfo(source).Length)
            {
                File.Copy(source, target, overwrite: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"could not copy PCPKsp.dll into {platform.SystemDirectory} ({e.Message}): the hash may carry no TPM data";
        }

        var outcome = await processes.RunAsync(
            new ProcessRequest(Path.Combine(platform.SystemDirectory, "rundll32.exe"), [$"{PcpKspName},DllInstall"], platform.SystemDirectory, RegisterTimeout),
            cancellationToken).ConfigureAwait(false);
        return outcome switch
        {
            { TimedOut: true } => $"registering PCPKsp.dll did not finish within {RegisterTimeout.TotalSeconds:0} s: the hash may carry no TPM data",
            { ExitCode: not 0 } => $"registering PCPKsp.dll failed (rundll32 exit code {outcome.ExitCode}{Quote(outcome.Output)}): the hash may carry no TPM data",
            // rundll32 exits 0 even when the DLL did not load, so this is all it can tell; the TPM
            // line (and the no-tpm warning) says whether the hash really carries TPM data.
            _ => "PCPKsp.dll copied to System32 and registered with rundll32 (exit code 0)",
        };
    }

    private static void CopyOrWrite(string source, string target, string fallback)
    {
        if (File.Exists(source))
        {
            File.Copy(source, target);
        }
        else
        {
            File.WriteAllText(target, fallback);
        }
    }

    private static string Quote(string output)
    {
        var line = output.ReplaceLineEndings(" ").Trim();
        return line.Length == 0 ? "" : $": \"{(line.Length <= 160 ? line : line[..160] + "…")}\"";
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a killed tool may hold a file for a moment; the temp folder is cleaned by the OS later
        }
    }
}
