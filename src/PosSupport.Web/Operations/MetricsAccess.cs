using System.Net;

namespace PosSupport.Web.Operations;

/// <summary>
/// Who may read <c>/metrics</c>: the <c>PosSupport:Metrics</c> section. <c>Enabled</c> (default true; false answers 404);
/// <c>AllowFrom</c>, the client addresses or CIDR networks allowed, comma-separated or as a list (default loopback only:
/// <c>127.0.0.0/8,::1/128</c>; a configured list replaces it). Anyone else gets 403. No authentication: Prometheus scrapes
/// each node directly, so the address is the scraper's (nothing here trusts X-Forwarded-For).
/// </summary>
public sealed class MetricsAccess
{
    public const string Section = "PosSupport:Metrics";

    private static readonly IPNetwork[] Loopback = [IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128")];

    private readonly IPNetwork[] _allowed;

    private MetricsAccess(bool enabled, IPNetwork[] allowed)
    {
        Enabled = enabled;
        _allowed = allowed;
    }

    public bool Enabled { get; }

    public IReadOnlyList<IPNetwork> AllowFrom => _allowed;

    public static MetricsAccess From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Section);
        var enabled = section.GetValue("Enabled", true);
        var list = section.GetSection("AllowFrom");
        var entries = list.Value is { } joined
            ? joined.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : list.GetChildren().Select(c => c.Value?.Trim()).OfType<string>().Where(v => v.Length > 0).ToArray();
        if (entries.Length == 0) return new MetricsAccess(enabled, Loopback);

        var allowed = new List<IPNetwork>();
        var bad = new List<string>();
        foreach (var entry in entries)
        {
            if (IPNetwork.TryParse(entry, out var network)) allowed.Add(network);
            else if (IPAddress.TryParse(entry, out var address)) allowed.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            else bad.Add(entry);
        }
        if (bad.Count > 0)
            throw new InvalidOperationException(
                $"{Section}:AllowFrom holds what is neither an IP address nor a CIDR network: {string.Join(", ", bad)} (example: 127.0.0.1,10.20.0.0/16).");
        return new MetricsAccess(enabled, [.. allowed]);
    }

    public bool Allows(IPAddress? client)
    {
        if (client is null) return false;
        if (client.IsIPv4MappedToIPv6) client = client.MapToIPv4();
        foreach (var network in _allowed)
            if (network.Contains(client)) return true;
        return false;
    }
}
