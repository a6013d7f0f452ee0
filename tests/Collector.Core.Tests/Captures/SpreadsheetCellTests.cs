using Collector.Core.Captures;

namespace Collector.Core.Tests.Captures;

public sealed class SpreadsheetCellTests
{
    [Theory]
    [InlineData("=1+2")]
    [InlineData("+SUM(A1:A9)")]
    [InlineData("@cmd")]
    [InlineData("-2+3+cmd|' /C calc'!A0")]
    [InlineData("\tCLT")]
    [InlineData("\rCLT")]
    public void A_value_a_spreadsheet_would_read_as_a_formula_is_named(string value)
    {
        var problem = SpreadsheetCell.FormulaProblem("serial", value);

        Assert.NotNull(problem);
        Assert.StartsWith("serial '", problem, StringComparison.Ordinal);
        Assert.Contains("which a spreadsheet would read as a formula", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5CG1234XYZ")]
    [InlineData("5CG-1234-XYZ")]
    [InlineData("-ABC123")]
    [InlineData("-5")]
    [InlineData("-A1")]
    [InlineData("-")]
    [InlineData("Warehouse=A")]
    [InlineData("ada@contoso.example")]
    public void Letters_digits_and_inner_signs_pass(string value) =>
        Assert.Null(SpreadsheetCell.FormulaProblem("serial", value));
}
