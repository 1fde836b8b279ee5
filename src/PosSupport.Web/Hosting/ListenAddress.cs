namespace PosSupport.Web.Hosting;

/// <summary>
/// The host listens on loopback only unless told otherwise. The default lives in code rather than in
/// launchSettings or appsettings so it holds however the app is started (dotnet run, dotnet PosSupport.Web.dll, a service).
/// </summary>
public static class ListenAddress
{
    public const string Default = "http://127.0.0.1:5080";

    /// <summary>Uses <see cref="Default"/> unless --urls, ASPNETCORE_URLS, HTTP_PORTS or HTTPS_PORTS chose an address.</summary>
    public static void UseDefaultUnlessConfigured(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (string.IsNullOrEmpty(configuration[WebHostDefaults.ServerUrlsKey])
            && string.IsNullOrEmpty(configuration[WebHostDefaults.HttpPortsKey])
            && string.IsNullOrEmpty(configuration[WebHostDefaults.HttpsPortsKey]))
            builder.WebHost.UseUrls(Default);
    }
}
