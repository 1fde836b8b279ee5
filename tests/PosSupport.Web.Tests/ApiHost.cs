using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace PosSupport.Web.Tests;

/// <summary>
/// The real host on Kestrel at a free loopback port, reading the workflows copied beside the tests, with its data
/// directory in a temporary directory (its own unless one is given). Tests talk to it with a plain <see cref="HttpClient"/>
/// over a socket, not through the in-memory test server.
/// </summary>
public sealed class ApiHost : WebApplicationFactory<Program>
{
    private readonly TemporaryDirectory? _ownDirectory;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private int _deleted;

    public ApiHost()
        : this(null, null)
    {
    }

    private ApiHost(string? dataDirectory, IReadOnlyDictionary<string, string>? settings)
    {
        if (dataDirectory is null) _ownDirectory = TemporaryDirectory.Create();
        DataDirectory = dataDirectory ?? _ownDirectory!.Path;
        _settings = settings ?? new Dictionary<string, string>();
        // The port comes from the host's own --urls setting, not UseKestrel(port): the factory would set that port on the
        // server from its own thread while Program may already be starting it (both run at once under minimal hosting).
        UseKestrel();
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        Address = new Uri(addresses.Single());
        Client = new HttpClient { BaseAddress = Address };
    }

    /// <summary>A host on <paramref name="dataDirectory"/> (PosSupport:DataDirectory), with more configuration such as <c>PosSupport:Workflows:Directory</c>.</summary>
    public static ApiHost On(string dataDirectory, IReadOnlyDictionary<string, string>? settings = null) => new(dataDirectory, settings);

    public Uri Address { get; }

    public HttpClient Client { get; }

    public string DataDirectory { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting(WebHostDefaults.ServerUrlsKey, "http://127.0.0.1:0");
        builder.UseSetting("PosSupport:DataDirectory", DataDirectory);
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
    }

    // The base class re-enters Dispose(bool) from DisposeAsync: delete the directory once, after the host has stopped.
    protected override void Dispose(bool disposing)
    {
        if (disposing) Client.Dispose();
        base.Dispose(disposing);
        if (disposing && Interlocked.Exchange(ref _deleted, 1) == 0) _ownDirectory?.Dispose();
    }

}

[CollectionDefinition(Name)]
public sealed class SharedApiHost : ICollectionFixture<ApiHost>
{
    public const string Name = "api";
}
