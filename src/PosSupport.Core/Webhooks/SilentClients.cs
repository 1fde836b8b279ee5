using System.Collections.Concurrent;

namespace PosSupport.Core.Webhooks;

/// <summary>
/// The API clients this node has seen without a webhook URL, or revoked: neither ever changes back (a URL is given when a
/// client is created; a revoked client stays revoked), so once seen, the webhook step at the end of every write transaction
/// skips their cases without a query. Only what was read from the database is remembered, so every node may keep its own.
/// Bounded by the number of API clients. Singleton, thread-safe.
/// </summary>
public sealed class SilentClients
{
    private readonly ConcurrentDictionary<Guid, byte> _silent = new();

    public bool Contains(Guid clientId) => _silent.ContainsKey(clientId);

    /// <summary>The database said this client has no webhook URL, or is revoked.</summary>
    public void Add(Guid clientId) => _silent.TryAdd(clientId, 0);
}
