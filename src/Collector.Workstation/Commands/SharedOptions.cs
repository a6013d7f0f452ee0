using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Collector.Workstation.Tables;

namespace Collector.Workstation.Commands;

/// <summary>
/// The options several commands take, each made here so that its name, help name, arity and help
/// text are the same wherever it appears (as collect's <c>StickOption</c> does for <c>--stick</c>).
/// </summary>
public static class SharedOptions
{
    private const string TargetForms = "a table SAS URL, a connection string, or a table URL (Entra ID); @FILE reads it from a file";

    /// <summary><c>--hub FILE</c>: sync, import, export and status.</summary>
    public static Option<string> Hub() => new("--hub")
    {
        HelpName = "FILE",
        // Not HubStore.DefaultPath here: it creates the app-data folder, and this runs for every command.
        Description = $"The hub database (default: {WorkstationContext.HubVariable}, else Collector/hub.db in the user's local application data).",
    };

    /// <summary>
    /// <c>--table TARGET</c> for sync, which uploads wherever a table is configured: without
    /// <c>--table</c> it takes COLLECTOR_TABLE, so a bare <c>--table</c> would add nothing, and the
    /// option takes a value.
    /// </summary>
    public static Option<string> UploadTable() => new("--table")
    {
        HelpName = "TARGET",
        Description = $"Where to upload: {TargetForms}. Default: {TableTarget.EnvironmentVariable}.",
    };

    /// <summary>
    /// <c>--table [TARGET]</c> for commands that work on the hub unless told otherwise (status,
    /// export): given, they work on the table instead; given without a value, on the table
    /// COLLECTOR_TABLE names (<see cref="TableTarget.ResolveGiven"/>). Read whether it was given
    /// with <c>parseResult.GetResult(option) is not null</c>.
    /// </summary>
    /// <param name="instead">What the command does with the table, and what a SAS must grant it.</param>
    public static Option<string> SourceTable(string instead) => new("--table")
    {
        HelpName = "TARGET",
        Arity = ArgumentArity.ZeroOrOne,
        Description = $"{instead}: {TargetForms}; without a value, {TableTarget.EnvironmentVariable}.",
    };

    /// <summary>
    /// For commands that read the hub or a table (export, register): <c>--hub</c> and
    /// <c>--table</c> are two sources, and <c>--table-name</c> only goes with <c>--table</c>.
    /// </summary>
    /// <param name="verb">What the command does from its source ("export", "register").</param>
    public static void OneSource(Command command, Option<string> hub, Option<string> table, Option<string> tableName, string verb) =>
        command.Validators.Add(result =>
        {
            if (result.GetResult(hub) is not null && result.GetResult(table) is not null)
            {
                result.AddError($"--hub and --table name two sources: {verb} from one of them");
            }

            if (result.GetResult(tableName) is not null && result.GetResult(table) is null)
            {
                result.AddError("--table-name goes with --table");
            }
        });

    /// <summary><c>--table-name NAME</c>: the table, where the target is a connection string.</summary>
    public static Option<string> TableName() => new("--table-name")
    {
        HelpName = "NAME",
        Description = $"The table, with a connection string (default: {TableTarget.DefaultTableName}).",
    };

    /// <summary><c>--tenant GUID</c>; what it means (and whether it is required) is the command's.</summary>
    public static Option<string> Tenant(string description, bool required = false) => new("--tenant")
    {
        HelpName = "GUID",
        Description = description,
        Required = required,
    };

    /// <summary><c>--group-tag TAG</c>; checked by <c>CaptureRules.GroupTagProblem</c> wherever it is read.</summary>
    public static Option<string> GroupTag(string description) => new("--group-tag")
    {
        HelpName = "TAG",
        Description = description,
    };

    /// <summary>
    /// <c>--group-tag TAG</c>, given once per tag (stick init: a stick may offer several). A tag
    /// per occurrence, never several in one: a tag may hold a space.
    /// </summary>
    public static Option<string[]> GroupTags(string description) => new("--group-tag")
    {
        HelpName = "TAG",
        Description = description,
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>
    /// The parser of a whole-number option from <paramref name="min"/> to <paramref name="max"/>:
    /// text that is not a whole number ("abc", "1e3", "", one too large for an int) is a usage
    /// error in one line, as is a number out of range (<paramref name="why"/> says why the range).
    /// Errors are added, never thrown: a validator that read the value with GetValueOrDefault
    /// threw on unparsable text while the command line was parsed, and the process aborted (134).
    /// </summary>
    public static Func<ArgumentResult, int> WholeNumber(string name, int min, int max, string why) => result =>
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(' ', result.Tokens.Select(t => t.Value));
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            result.AddError($"{name} must be a whole number from {min} to {max}, not '{text}'");
            return min;
        }

        if (value < min || value > max)
        {
            result.AddError($"{name} must be {min} to {max}: {why}");
        }

        return value;
    };

    /// <summary>
    /// The parser of an option that is a number of <paramref name="unit"/> more than 0 ("0.5",
    /// "30"): anything else ("abc", "0", "-1", "NaN") is a usage error in one line, added as
    /// <see cref="WholeNumber"/> adds its errors, never thrown.
    /// </summary>
    public static Func<ArgumentResult, double> PositiveNumber(string name, string unit) => result =>
    {
        var text = string.Join(' ', result.Tokens.Select(t => t.Value));
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || !(value > 0) || double.IsInfinity(value))
        {
            result.AddError($"{name} must be more than 0 {unit}, not '{text}'");
            return 1;
        }

        return value;
    };

    /// <summary><c>--json</c>: one JSON document on stdout instead of text.</summary>
    /// <param name="what">What the document is, e.g. "one JSON object: files, devices, leftOut".</param>
    public static Option<bool> Json(string what) => new("--json")
    {
        Description = $"Print {what}.",
    };
}
