namespace PosSupport.Web.Api;

/// <summary>The <c>PosSupport:Api</c> section: limits of the REST API for chat channels and integrations.</summary>
public sealed class ApiOptions
{
    public const string Section = "PosSupport:Api";

    /// <summary>Requests each client may make per <see cref="RateLimitWindowSeconds"/>; over that, 429 with Retry-After.</summary>
    public int RateLimitPermits { get; set; } = 600;

    public int RateLimitWindowSeconds { get; set; } = 60;

    /// <summary>How long an Idempotency-Key and its stored response are kept (at least 24 hours).</summary>
    public int IdempotencyRetentionHours { get; set; } = 24;

    /// <summary>After this long, a request still holding its key is taken as dead and the key may be claimed again.</summary>
    public int IdempotencyLeaseSeconds { get; set; } = 120;

    public void Validate()
    {
        var problems = new List<string>();
        if (RateLimitPermits <= 0) problems.Add("PosSupport:Api:RateLimitPermits must be greater than 0.");
        if (RateLimitWindowSeconds <= 0) problems.Add("PosSupport:Api:RateLimitWindowSeconds must be greater than 0.");
        if (IdempotencyRetentionHours < 24) problems.Add("PosSupport:Api:IdempotencyRetentionHours must be 24 or more.");
        if (IdempotencyLeaseSeconds <= 0) problems.Add("PosSupport:Api:IdempotencyLeaseSeconds must be greater than 0.");
        if (problems.Count > 0) throw new InvalidOperationException(string.Join(Environment.NewLine, problems));
    }
}
