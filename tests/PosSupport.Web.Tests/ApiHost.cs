using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace PosSupport.Web.Tests;

/// <summary>
/// The real host on Kestrel at a free loopback port, reading the workflows copied beside the tests. Tests talk to it
/// with a plain <see cref="HttpClient"/> over a socket, not through the in-memory test server.
/// </summary>
public sealed class ApiHost : WebApplicationFactory<Program>
{
    public ApiHost()
    {
        UseKestrel(0);
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        Address = new Uri(addresses.Single());
        Client = new HttpClient { BaseAddress = Address };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Client.Dispose();
        base.Dispose(disposing);
    }
}

[CollectionDefinition(Name)]
public sealed class SharedApiHost : ICollectionFixture<ApiHost>
{
    public const string Name = "api";
}
