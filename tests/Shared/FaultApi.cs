using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace PosSupport.Testing;

/// <summary>One HTTP answer of the API: status, body, and the problem type when it is a problem document.</summary>
public sealed record ApiAnswer(int Status, string Body, string? ProblemType, bool Replayed)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public Guid GuidOf(string property) => Json.GetProperty(property).GetGuid();

    public long LongOf(string property) => Json.GetProperty(property).GetInt64();

    public override string ToString() => $"{Status} {ProblemType ?? ""}".TrimEnd();
}

/// <summary>
/// A REST API client of the fault scenarios: one API key, every POST with an <c>Idempotency-Key</c> (and <c>If-Match</c>
/// when asked). Transport failures (a killed host) surface as <see cref="HttpRequestException"/> or a timeout, never as an answer.
/// </summary>
public sealed class FaultApi : IDisposable
{
    private readonly HttpClient _http;

    public FaultApi(Uri baseAddress, string key, TimeSpan? timeout = null)
    {
        _http = new HttpClient { BaseAddress = new Uri(baseAddress, "api/v1/"), Timeout = timeout ?? TimeSpan.FromSeconds(60) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    public Task<ApiAnswer> PostAsync(string path, object? body, string idempotencyKey, long? ifMatch = null, CancellationToken cancellationToken = default) =>
        PostRawAsync(path, body is null ? "{}" : JsonSerializer.Serialize(body, JsonSerializerOptions.Web), idempotencyKey, ifMatch, cancellationToken);

    public async Task<ApiAnswer> PostRawAsync(string path, string json, string idempotencyKey, long? ifMatch = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        return await SendAsync(request, idempotencyKey, ifMatch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Uploads a small PDF as evidence of <paramref name="type"/>.</summary>
    public async Task<ApiAnswer> PostEvidenceAsync(Guid caseId, string type, byte[] pdf, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        using var form = new MultipartFormDataContent("fault-boundary-" + idempotencyKey);
        form.Add(new StringContent(type), "type");
        var file = new ByteArrayContent(pdf);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(file, "file", type + ".pdf");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"cases/{caseId:D}/evidence") { Content = form };
        return await SendAsync(request, idempotencyKey, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ApiAnswer> GetAsync(string path, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        return await SendAsync(request, null, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A tiny, valid-looking PDF whose bytes are unique to <paramref name="token"/> (evidence is stored once per content).</summary>
    public static byte[] Pdf(string token) => Encoding.ASCII.GetBytes($"%PDF-1.4\n% {token}\n%%EOF\n");

    private async Task<ApiAnswer> SendAsync(HttpRequestMessage request, string? idempotencyKey, long? ifMatch, CancellationToken cancellationToken)
    {
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        if (ifMatch is { } version) request.Headers.TryAddWithoutValidation("If-Match", string.Create(CultureInfo.InvariantCulture, $"\"{version}\""));
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string? problem = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                if (document.RootElement.TryGetProperty("type", out var type)) problem = type.GetString()?.Replace("urn:possupport:problem:", "", StringComparison.Ordinal);
            }
            catch (JsonException) { }
        }
        return new ApiAnswer((int)response.StatusCode, body, problem, response.Headers.Contains("Idempotent-Replayed"));
    }

    public void Dispose() => _http.Dispose();
}
