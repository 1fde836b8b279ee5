namespace PosSupport.Core.Merchants;

/// <summary>
/// The unified social credit code (统一社会信用代码) on a business licence, GB 32100-2015: 18 characters from
/// 0-9 and the capitals without I, O, S, V and Z. Positions 1-2 say who registered what (<c>91</c> a company,
/// <c>92</c> an individual business), 3-8 the administrative division, 9-17 the organisation code (itself ending in
/// a GB 11714 check character), and 18 the check character over the first 17.
/// </summary>
public static class UnifiedSocialCreditCode
{
    public const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    public const int Length = 18;

    /// <summary>Weight of position i is 3^i mod 31.</summary>
    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    private static readonly int[] OrganisationWeights = [3, 7, 9, 10, 5, 8, 4, 2];

    /// <summary>Length, alphabet and check character; says nothing about whether the code was ever issued.</summary>
    public static bool IsValid(string? code) =>
        code is { Length: Length } && code.All(c => Alphabet.Contains(c, StringComparison.Ordinal)) && CheckCharacter(code.AsSpan(0, 17)) == code[17];

    /// <summary>The 18th character for the first 17: 31 - (Σ value × weight mod 31), where 31 becomes 0.</summary>
    public static char CheckCharacter(ReadOnlySpan<char> first17)
    {
        if (first17.Length != 17) throw new ArgumentException("The check character is computed over exactly 17 characters.", nameof(first17));
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var value = Alphabet.IndexOf(first17[i], StringComparison.Ordinal);
            if (value < 0) throw new ArgumentException($"'{first17[i]}' is not a character of a unified social credit code.", nameof(first17));
            sum += value * Weights[i];
        }
        return Alphabet[(31 - sum % 31) % 31];
    }

    /// <summary>The 9th character of an organisation code (GB 11714): 11 - (Σ value × weight mod 11); 10 is X, 11 is 0. Letters count A=10 … Z=35.</summary>
    public static char OrganisationCheckCharacter(ReadOnlySpan<char> first8)
    {
        if (first8.Length != 8) throw new ArgumentException("The organisation check character is computed over exactly 8 characters.", nameof(first8));
        var sum = 0;
        for (var i = 0; i < 8; i++)
        {
            var c = first8[i];
            var value = c is >= '0' and <= '9' ? c - '0' : c is >= 'A' and <= 'Z' ? c - 'A' + 10
                : throw new ArgumentException($"'{c}' is not a character of an organisation code.", nameof(first8));
            sum += value * OrganisationWeights[i];
        }
        return (11 - sum % 11) switch { 10 => 'X', 11 => '0', var check => (char)('0' + check) };
    }

    /// <summary>
    /// A well-formed code from its parts: <paramref name="registration"/> (2 characters, e.g. "92"), <paramref name="division"/>
    /// (6 digits, e.g. "440305") and the 8-character body of the organisation code; both check characters are computed.
    /// </summary>
    public static string Create(string registration, string division, string organisationBody)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(division);
        ArgumentNullException.ThrowIfNull(organisationBody);
        if (registration.Length != 2 || division.Length != 6 || organisationBody.Length != 8)
            throw new ArgumentException("A code is 2 registration characters, a 6-digit division and an 8-character organisation body.");
        var first17 = registration + division + organisationBody + OrganisationCheckCharacter(organisationBody);
        return first17 + CheckCharacter(first17);
    }
}
