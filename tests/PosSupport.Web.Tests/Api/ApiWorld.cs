using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using MediatR;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using PosSupport.Core.ApiClients;
using PosSupport.Core.Pipeline;

namespace PosSupport.Web.Tests.Api;

/// <summary>
/// The host on a real port with the demo data, and an API client of every role: two chat channels (A and B), an agent
/// integration, a supervisor and an admin. Merchants with known contracts are added for the tests that need them.
/// </summary>
public sealed class ApiWorld : IAsyncLifetime
{
    public const long MaxEvidenceBytes = 64 * 1024;

    private readonly TemporaryDirectory _data = TemporaryDirectory.Create();
    private readonly List<HttpClient> _clients = [];

    public ApiHost Host { get; private set; } = null!;
    public HttpClient Anonymous { get; private set; } = null!;
    public HttpClient ChannelA { get; private set; } = null!;
    public HttpClient ChannelB { get; private set; } = null!;
    public HttpClient Agent { get; private set; } = null!;
    public HttpClient Supervisor { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;
    public Guid AgentClientId { get; private set; }

    public async Task InitializeAsync()
    {
        Host = ApiHost.On(_data.Path, new Dictionary<string, string>
        {
            ["PosSupport:Api:RateLimitPermits"] = "1000000",
            ["PosSupport:Evidence:MaxBytes"] = MaxEvidenceBytes.ToString(CultureInfo.InvariantCulture),
        });
        Anonymous = Client(null);
        ChannelA = Client((await CreateAsync("channel-a", "channel")).Key);
        ChannelB = Client((await CreateAsync("channel-b", "channel")).Key);
        var agent = await CreateAsync("crm", "agent");
        AgentClientId = agent.Id;
        Agent = Client(agent.Key);
        Supervisor = Client((await CreateAsync("lead", "supervisor")).Key);
        Admin = Client((await CreateAsync("ops", "admin")).Key);
    }

    public async Task<CreateApiClient.Result> CreateAsync(string name, string role)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new CreateApiClient.Command(name, role, Caller.System("test")));
    }

    public HttpClient Client(string? key)
    {
        var client = new HttpClient { BaseAddress = Host.Address };
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        _clients.Add(client);
        return client;
    }

    public HttpClient ByRole(string role) => role switch
    {
        "anonymous" => Anonymous,
        "channel-a" => ChannelA,
        "channel-b" => ChannelB,
        "agent" => Agent,
        "supervisor" => Supervisor,
        "admin" => Admin,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    public SqliteConnection Database() =>
        new(new SqliteConnectionStringBuilder { DataSource = CaseStore.SqliteFile(_data.Path), Pooling = false }.ToString());

    public async Task<T> ScalarAsync<T>(string sql, object? param = null)
    {
        await using var connection = Database();
        return await connection.ExecuteScalarAsync<T>(sql, param) ?? throw new InvalidOperationException("no value: " + sql);
    }

    /// <summary>A merchant with a device and a contract of the given terms; the device's serial number is returned with it.</summary>
    public async Task<(Guid MerchantId, string Serial)> MerchantAsync(bool dataFeeClause = true, bool feeNoticeGiven = true, int refundWindowDays = 30,
        int feeRateBp = 55, int warrantyMonths = 12, string activatedOn = "2026-03-01")
    {
        var merchantId = Guid.NewGuid();
        var serial = "T" + Guid.NewGuid().ToString("N")[..11].ToUpperInvariant();
        await using var connection = Database();
        await connection.ExecuteAsync("""
            INSERT INTO merchants (id, name, licence_number, mcc, category, phone, preferred_language, trailing_year_volume_fen, created_at)
            VALUES (@id, '测试便利店', @licence, '5499', 'supermarket', '13812345678', 'zh-CN', 0, '2026-01-01T00:00:00.0000000+00:00');
            INSERT INTO devices (id, serial_number, model, status, activated_on, merchant_id, physical_damage)
            VALUES (@device, @serial, 'smart', 'active', @activatedOn, @id, 0);
            INSERT INTO contracts (id, merchant_id, signed_on, fee_rate_bp, data_fee_clause, data_fee_amount_fen, data_fee_period_months,
                                   data_fee_free_days, data_fee_waiver_volume_fen, refund_window_days, fee_notice_clause, fee_notice_given,
                                   warranty_months, deposit_fen, deposit_paid, replacement_fee_fen, device_leased)
            VALUES (@contract, @id, '2025-01-01', @feeRateBp, @dataFeeClause, 9900, 12, 0, NULL, @refundWindowDays, 1, @feeNoticeGiven,
                    @warrantyMonths, 0, 0, 19900, 1);
            """, new
        {
            id = merchantId.ToString("D"), licence = "91" + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant(), device = Guid.NewGuid().ToString("D"), serial,
            activatedOn, contract = Guid.NewGuid().ToString("D"), feeRateBp, dataFeeClause = dataFeeClause ? 1 : 0, refundWindowDays,
            feeNoticeGiven = feeNoticeGiven ? 1 : 0, warrantyMonths,
        });
        return (merchantId, serial);
    }

    /// <summary>A spare device in stock, for a replacement to be shipped from.</summary>
    public async Task<string> SpareAsync()
    {
        var serial = "SP" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        await using var connection = Database();
        await connection.ExecuteAsync("INSERT INTO devices (id, serial_number, model, status, physical_damage) VALUES (@id, @serial, 'smart', 'in-stock', 0)",
            new { id = Guid.NewGuid().ToString("D"), serial });
        return serial;
    }

    /// <summary>Accepts every received item of a case straight in the database (for tests about something else than review).</summary>
    public async Task AcceptAllEvidenceAsync(Guid caseId)
    {
        await using var connection = Database();
        await connection.ExecuteAsync("UPDATE evidence_items SET status = 'accepted' WHERE case_id = @caseId", new { caseId = caseId.ToString("D") });
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients) client.Dispose();
        await Host.DisposeAsync();
        _data.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class SharedApiWorld : ICollectionFixture<ApiWorld>
{
    public const string Name = "api-world";
}

/// <summary>Requests and answers of the API as the tests speak them.</summary>
public static class Http
{
    public static Task<HttpResponseMessage> PostApiAsync(this HttpClient client, string path, object? body = null, string? key = null, string? ifMatch = null,
        string? language = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (body is not null) request.Content = body as HttpContent ?? JsonContent.Create(body);
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString("N"));
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (language is not null) request.Headers.TryAddWithoutValidation("Accept-Language", language);
        return client.SendAsync(request);
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(text.Length > 0, $"{(int)response.StatusCode} with an empty body");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> OkAsync(this Task<HttpResponseMessage> sending, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await sending;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static Task<JsonElement> CreatedAsync(this Task<HttpResponseMessage> sending) => sending.OkAsync(HttpStatusCode.Created);

    /// <summary>The response is a problem document of the API with this status and kind.</summary>
    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage response, int status, string? kind = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.StartsWith("urn:possupport:problem:", problem.GetProperty("type").GetString());
        if (kind is not null) Assert.Equal("urn:possupport:problem:" + kind, problem.GetProperty("type").GetString());
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        return problem;
    }

    public static MultipartFormDataContent Upload(string type, byte[] content, string fileName)
    {
        var form = new MultipartFormDataContent { { new StringContent(type), "type" } };
        form.Add(new ByteArrayContent(content), "file", fileName);
        return form;
    }
}

public static class Files
{
    public static byte[] Jpeg(string tag) => [0xFF, 0xD8, 0xFF, 0xE0, .. Encoding.UTF8.GetBytes("JFIF " + tag)];
    public static byte[] Png(string tag) => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Encoding.UTF8.GetBytes("IHDR " + tag)];
    public static byte[] Pdf(string tag) => Encoding.ASCII.GetBytes("%PDF-1.7\n% " + tag + "\n%%EOF");
    public static byte[] Executable() => [0x4D, 0x5A, 0x90, 0x00, .. Encoding.ASCII.GetBytes("This program cannot be run in DOS mode.")];
}

/// <summary>
/// Tests that start and stop hosts of their own run alone, after the parallel ones: Hangfire's log provider is
/// process-wide, so a host stopping while another starts can leave the starting one with a disposed logger factory.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OwnHosts
{
    public const string Name = "own-hosts";
}
