namespace PosSupport.Browser.Tests;

/// <summary>Small real files for evidence uploads.</summary>
public static class TestFiles
{
    // A 1×1 PNG; the suffix after IEND makes each file's content (and so its sha256) its own.
    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    public static byte[] UniquePng() => [.. Png, .. Guid.NewGuid().ToByteArray()];
}
