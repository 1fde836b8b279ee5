using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PosSupport.Core.Webhooks;

/// <summary>
/// <c>X-PosSupport-Signature: t=UNIX,v1=HEX</c>: HEX is HMAC-SHA256, keyed with the client's webhook secret, of
/// <c>t + "." + body</c>. The receiver recomputes it and refuses old timestamps, so a captured request cannot be replayed later.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "X-PosSupport-Signature";
    public const string DeliveryHeader = "X-PosSupport-Delivery";
    public const string EventHeader = "X-PosSupport-Event";

    public static string Sign(string secret, long unixSeconds, string body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(body);
        var t = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(t + "." + body));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }
}
