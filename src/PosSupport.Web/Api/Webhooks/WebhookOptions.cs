namespace PosSupport.Web.Api.Webhooks;

/// <summary>The <c>PosSupport:Webhooks</c> section: how webhook deliveries are retried.</summary>
public sealed class WebhookOptions
{
    public const string Section = "PosSupport:Webhooks";

    /// <summary>Attempts before a delivery is dead-lettered.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The wait before the first retry; each later one waits twice as long as the one before.</summary>
    public int FirstRetryDelaySeconds { get; set; } = 30;

    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>How long after the merchant's last message a WeChat client may still get free-form messages.</summary>
    public int WeChatFreeFormHours { get; set; } = 48;

    public TimeSpan FirstRetryDelay => TimeSpan.FromSeconds(FirstRetryDelaySeconds);
    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);
    public TimeSpan WeChatFreeFormWindow => TimeSpan.FromHours(WeChatFreeFormHours);

    public void Validate()
    {
        if (MaxAttempts < 1 || FirstRetryDelaySeconds < 1 || TimeoutSeconds < 1 || WeChatFreeFormHours < 1)
            throw new InvalidOperationException("PosSupport:Webhooks: MaxAttempts, FirstRetryDelaySeconds, TimeoutSeconds and WeChatFreeFormHours must be at least 1.");
    }
}
