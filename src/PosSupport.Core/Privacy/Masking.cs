namespace PosSupport.Core.Privacy;

/// <summary>How sensitive numbers are shown everywhere except where an authorised person opens them on purpose.</summary>
public static class Masking
{
    /// <summary><c>13812345678</c> → <c>138****5678</c>.</summary>
    public static string Phone(string? phone) =>
        phone is { Length: >= 7 } ? string.Concat(phone.AsSpan(0, 3), new string('*', phone.Length - 7), phone.AsSpan(phone.Length - 4)) : Hidden(phone);

    /// <summary>18-character resident ID → <c>110***********1234</c>.</summary>
    public static string IdCard(string? id) =>
        id is { Length: >= 8 } ? string.Concat(id.AsSpan(0, 3), new string('*', id.Length - 7), id.AsSpan(id.Length - 4)) : Hidden(id);

    /// <summary>Bank card → the last four digits only: <c>**** 1234</c>.</summary>
    public static string BankCard(string? card) => card is { Length: >= 4 } ? "**** " + card[^4..] : Hidden(card);

    private static string Hidden(string? value) => string.IsNullOrEmpty(value) ? "" : new string('*', value.Length);
}
