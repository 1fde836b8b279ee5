using System.Text.RegularExpressions;

namespace PosSupport.Core.Privacy;

/// <summary>How sensitive numbers are shown everywhere except where an authorised person opens them on purpose.</summary>
public static partial class Masking
{
    /// <summary><c>13812345678</c> → <c>138****5678</c>.</summary>
    public static string Phone(string? phone) =>
        phone is { Length: >= 7 } ? string.Concat(phone.AsSpan(0, 3), new string('*', phone.Length - 7), phone.AsSpan(phone.Length - 4)) : Hidden(phone);

    /// <summary>18-character resident ID → <c>110***********1234</c>.</summary>
    public static string IdCard(string? id) =>
        id is { Length: >= 8 } ? string.Concat(id.AsSpan(0, 3), new string('*', id.Length - 7), id.AsSpan(id.Length - 4)) : Hidden(id);

    /// <summary>Bank card → the last four digits only: <c>**** 1234</c>.</summary>
    public static string BankCard(string? card) => card is { Length: >= 4 } ? "**** " + card[^4..] : Hidden(card);

    /// <summary>
    /// Free text (a case description, a merchant's message) with every resident ID number and every 16–19 digit run (a bank
    /// card number, Luhn-valid or mistyped) in it masked as <see cref="IdCard"/> and <see cref="BankCard"/> would show them.
    /// </summary>
    public static string Text(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        return SensitiveNumber().Replace(text, match =>
        {
            var value = match.Value;
            if (value.Length == 18 && (char.IsAsciiDigit(value[^1]) || value[^1] is 'X' or 'x')) return IdCard(value);
            return value.All(char.IsAsciiDigit) ? BankCard(value) : value;
        });
    }

    // Runs of 16-19 digits (an ID number may end in X), not inside a longer run of digits.
    [GeneratedRegex(@"(?<![0-9])[0-9]{15,18}[0-9Xx](?![0-9Xx])")]
    private static partial Regex SensitiveNumber();

    private static string Hidden(string? value) => string.IsNullOrEmpty(value) ? "" : new string('*', value.Length);
}
