using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace PosSupport.Core.ApiClients;

/// <summary>
/// API keys and webhook secrets. A key is 32 random bytes, so a single unsalted SHA-256 is enough to store it: there is
/// nothing to guess by brute force, and the hash can be looked up directly on each request.
/// </summary>
public static class ApiKeys
{
    public const string KeyPrefix = "psk_";
    public const string SecretPrefix = "whsec_";

    public static readonly IReadOnlyList<string> Roles = ["channel", "agent", "supervisor", "admin"];

    public static string NewKey() => KeyPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string NewWebhookSecret() => SecretPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string key) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}

/// <summary>An API client as requests see it: who is calling and in which role.</summary>
public sealed record ApiClient(Guid Id, string Name, string Role, string? WebhookUrl);
