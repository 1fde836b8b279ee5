using Microsoft.AspNetCore.Identity;

namespace PosSupport.Core.Users;

/// <summary>
/// Staff passwords, hashed with ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/> (PBKDF2, salted, versioned
/// format). The hash is all that is stored; a password never reaches a log.
/// </summary>
public static class Passwords
{
    public const int MinimumLength = 8;
    public const int MaximumLength = 200;

    private static readonly PasswordHasher<string> Hasher = new();

    public static string Hash(string login, string password) => Hasher.HashPassword(login, password);

    /// <summary>Whether <paramref name="password"/> matches; <paramref name="rehash"/> is a new hash to store when the format aged.</summary>
    public static bool Verify(string login, string hash, string password, out string? rehash)
    {
        rehash = null;
        var result = Hasher.VerifyHashedPassword(login, hash, password);
        if (result == PasswordVerificationResult.SuccessRehashNeeded) rehash = Hash(login, password);
        return result != PasswordVerificationResult.Failed;
    }
}
