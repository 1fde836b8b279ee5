using System.Globalization;

namespace PosSupport.Core.Workflows;

/// <summary>Checks and reads trigger inputs, which arrive as text from every channel (form, API, job).</summary>
public static class InputValues
{
    public static bool IsValid(InputDefinition input, string value)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Type switch
        {
            InputType.Text => !string.IsNullOrWhiteSpace(value),
            InputType.WholeNumber => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            InputType.Money => long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _),
            InputType.BasisPoints => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var bp) && bp <= 10_000,
            InputType.Boolean => value is "true" or "false",
            InputType.Date => DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            InputType.Choice => input.Options.Contains(value, StringComparer.Ordinal),
            _ => false,
        };
    }

    public static long Money(IReadOnlyDictionary<string, string> inputs, string name) =>
        long.Parse(inputs[name], NumberStyles.None, CultureInfo.InvariantCulture);

    public static bool Boolean(IReadOnlyDictionary<string, string> inputs, string name) =>
        inputs.TryGetValue(name, out var value) && value == "true";
}
