using System.Globalization;
using System.Text.Json;
using PosSupport.Core.Workflows;

namespace PosSupport.Web.Dashboard;

/// <summary>
/// Every label of the dashboard, in English and Simplified Chinese, as <see cref="LocalizedText"/> like the workflows'
/// titles; each property gives the text of the current UI culture (set per request from the culture cookie or the
/// browser's languages).
/// </summary>
public static class Ui
{
    private static string L(string en, string zhCn) => new LocalizedText(en, zhCn).For(CultureInfo.CurrentUICulture);

    public static string T(LocalizedText? text) => text?.For(CultureInfo.CurrentUICulture) ?? "";

    public static bool IsChinese => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "zh";

    // Shell
    public static string Product => L("PosSupport", "POS 客服工作台");
    public static string Queues => L("Queues", "队列");
    public static string NewCase => L("New case", "新建工单");
    public static string SignOut => L("Sign out", "退出登录");
    public static string Language => L("Language", "语言");
    public static string SkipToContent => L("Skip to content", "跳到正文");
    public static string RoleName(string role) => role switch
    {
        "agent" => L("Agent", "客服"),
        "supervisor" => L("Supervisor", "主管"),
        "admin" => L("Administrator", "管理员"),
        _ => role,
    };
    public static string NotFoundTitle => L("Page not found", "页面不存在");
    public static string NotFoundText => L("There is nothing at this address.", "此地址没有内容。");
    public static string BackToQueues => L("Back to the queues", "返回队列");
    public static string DeniedTitle => L("Not allowed", "无权访问");
    public static string DeniedText => L("Your role may not open this page.", "您的角色无权打开此页面。");
    public static string ErrorReload => L("Something went wrong. Reload the page to continue.", "出现错误，请刷新页面后继续。");
    public static string Reload => L("Reload", "刷新");

    // Sign-in
    public static string SignIn => L("Sign in", "登录");
    public static string SignInTitle => L("Sign in to PosSupport", "登录 POS 客服工作台");
    public static string Login => L("Login", "账号");
    public static string Password => L("Password", "密码");
    public static string SignInFailed => L("The login or password is wrong.", "账号或密码错误。");
    public static string SignInMissing => L("Enter your login and password.", "请输入账号和密码。");
    public static string SignInLocked => L("Too many wrong passwords: this account is locked for 15 minutes.", "密码错误次数过多，账号已锁定 15 分钟。");

    // Queues
    public static string MyCases => L("My cases", "我的工单");
    public static string Unassigned => L("Unassigned", "待分配");
    public static string WaitingOnMerchant => L("Waiting on merchant", "等待商户");
    public static string Escalated => L("Escalated", "已升级");
    public static string SlaAtRisk => L("SLA at risk", "时效预警");
    public static string SlaBreachedQueue => L("Breached", "已超时");
    public static string AllOpen => L("All open", "全部未关闭");
    public static string All => L("All", "全部");
    public static string Search => L("Search", "搜索");
    public static string SearchHint => L("Case number, merchant, serial number or last 4 of phone", "工单号、商户、序列号或手机号后四位");
    public static string Type => L("Type", "类型");
    public static string State => L("State", "状态");
    public static string Priority => L("Priority", "优先级");
    public static string Assignee => L("Assignee", "处理人");
    public static string AnyType => L("Any type", "全部类型");
    public static string AnyState => L("Any state", "全部状态");
    public static string AnyPriority => L("Any priority", "全部优先级");
    public static string Anyone => L("Anyone", "全部人员");
    public static string Nobody => L("Nobody (unassigned)", "无人（待分配）");
    public static string IncludeClosed => L("Include closed", "包含已关闭");
    public static string ClearFilters => L("Clear filters", "清除筛选");
    public static string Case => L("Case", "工单");
    public static string Merchant => L("Merchant", "商户");
    public static string Updated => L("Updated", "更新时间");
    public static string Opened => L("Opened", "创建时间");
    public static string NoCases => L("No cases match.", "没有符合条件的工单。");
    public static string NextPage => L("Next page", "下一页");
    public static string FirstPage => L("First page", "第一页");
    public static string Refresh => L("Refresh", "刷新");
    public static string PriorityName(string priority) => priority switch
    {
        "low" => L("Low", "低"),
        "normal" => L("Normal", "普通"),
        "high" => L("High", "高"),
        "urgent" => L("Urgent", "紧急"),
        _ => priority,
    };
    public static string EscalationTier(int tier) => L($"Tier {tier}", $"{tier} 级");

    // Case page
    public static string Outcome => L("Outcome", "结果");
    public static string Device => L("Device", "机具");
    public static string Contract => L("Contract", "合同");
    public static string Evidence => L("Evidence", "证据材料");
    public static string Offers => L("Offers", "方案");
    public static string Timeline => L("Timeline", "时间线");
    public static string Actions => L("Actions", "操作");
    public static string Workflow => L("Workflow", "流程");
    public static string Description => L("Description", "问题描述");
    public static string Claim => L("Claim", "诉求");
    public static string AmountCharged => L("Amount charged", "扣费金额");
    public static string ChargedOn => L("Charged on", "扣费日期");
    public static string RateCharged => L("Rate charged", "实收费率");
    public static string Category => L("Category", "行业类别");
    public static string Phone => L("Phone", "手机号");
    public static string SerialNumber => L("Serial number", "序列号");
    public static string Model => L("Model", "型号");
    public static string ActivatedOn => L("Activated on", "激活日期");
    public static string DeviceStatus => L("Status", "状态");
    public static string Reveal => L("Reveal", "查看完整号码");
    public static string RevealHint => L("Shows the full number; the timeline records that you looked.", "显示完整号码，查看记录会写入时间线。");
    public static string CategoryName(string category) => category switch
    {
        "catering" => L("Catering", "餐饮"),
        "supermarket" => L("Supermarket / convenience store", "超市便利店"),
        "beauty" => L("Beauty", "美容美发"),
        "retail" => L("Retail", "零售"),
        "entertainment" => L("Entertainment", "娱乐"),
        _ => category,
    };
    public static string ModelName(string model) => model switch
    {
        "countertop" => L("Countertop POS", "传统大POS"),
        "smart" => L("Smart POS", "智能POS"),
        "e-signature" => L("E-signature POS", "电签POS"),
        "phone" => L("Phone POS", "手机POS"),
        _ => model,
    };
    public static string DeviceStatusName(string status) => status switch
    {
        "in-stock" => L("In stock", "库存"),
        "active" => L("Active", "使用中"),
        "faulty" => L("Faulty", "故障"),
        "returned" => L("Returned", "已退回"),
        "retired" => L("Retired", "已报废"),
        _ => status,
    };
    public static string LanguageName(string tag) => tag.StartsWith("zh", StringComparison.OrdinalIgnoreCase) ? "中文" : "English";
    public static string NoDevice => L("No device on this case.", "此工单未关联机具。");
    public static string NoContract => L("The contract terms are not on the case yet.", "合同条款尚未调取。");
    public static string FeeRate => L("Fee rate", "手续费率");
    public static string DataFeeClause => L("Data-fee clause", "流量费条款");
    public static string DataFee => L("Data fee", "流量费");
    public static string FreeDays => L("Free period", "免费期");
    public static string WaiverVolume => L("Waived above yearly volume", "年交易额免收门槛");
    public static string RefundWindow => L("Refund window", "退款期限");
    public static string FeeNotice => L("Fee notice given", "已告知收费");
    public static string Warranty => L("Warranty", "保修期");
    public static string Deposit => L("Deposit", "押金");
    public static string ReplacementFee => L("Replacement fee", "换机费");
    public static string Leased => L("Leased", "租用");
    public static string Yes => L("Yes", "是");
    public static string No => L("No", "否");
    public static string None => L("None", "无");
    public static string Days(int days) => L($"{days} days", $"{days} 天");
    public static string Months(int months) => L($"{months} months", $"{months} 个月");
    public static string PerMonths(int months) => L($"every {months} months", $"每 {months} 个月");
    public static string Paid => L("paid", "已付");
    public static string Unpaid => L("not paid", "未付");
    public static string AssignedTo => L("Assigned to", "处理人");
    public static string TakeCase => L("Take", "领取");
    public static string Assign => L("Assign", "分配");
    public static string AssignTo => L("Assign to", "分配给");
    public static string Unassign => L("Return to unassigned", "退回待分配");
    public static string NoActions => L("No actions are open to you in this state.", "当前状态下您没有可执行的操作。");
    public static string Cancel => L("Cancel", "取消");
    public static string Confirm => L("Confirm", "确认");
    public static string ConfirmAction(string action) => L($"{action}: are you sure?", $"确定要执行“{action}”吗？");
    public static string Required => L("Required", "必填");
    public static string Done => L("Done.", "已完成。");
    public static string ConflictMessage => L("Someone else changed this case while you were working on it. It has been reloaded: check it and try again.",
        "您处理期间此工单已被他人修改，已重新加载，请核对后重试。");
    public static string NotAllowed => L("Not allowed", "不允许");
    public static string FollowUps => L("Follow-ups due", "待执行跟进");
    public static string SlaMet => L("met", "已达成");
    public static string SlaPaused => L("paused", "已暂停");
    public static string SlaBreached(string over) => L($"breached, {over} over", $"已超时 {over}");
    public static string SlaLeft(string left) => L($"{left} left", $"剩余 {left}");
    public static string Sla => L("SLA", "时效");
    public static string SlaCell(Core.FollowUps.SlaSummary? sla) => sla switch
    {
        null => "—",
        { Risk: Core.FollowUps.SlaRisk.Breached } => L($"overdue {WorkingDuration(sla.Left)}", $"已超时 {WorkingDuration(sla.Left)}"),
        _ => WorkingDuration(sla.Left),
    };
    public static string SlaRiskClass(Core.FollowUps.SlaSummary? sla) => sla?.Risk switch
    {
        Core.FollowUps.SlaRisk.Breached => "queue-sla mud-error-text",
        Core.FollowUps.SlaRisk.AtRisk => "queue-sla mud-warning-text",
        _ => "queue-sla",
    };
    public static string ReminderToMerchant => L("Reminder to the merchant", "提醒商户");
    public static string Due => L("Due", "到期");
    public static string Requested => L("Requested", "已索取");
    public static string Received => L("Received", "已收到");
    public static string Accepted => L("Accepted", "已接受");
    public static string Rejected => L("Rejected", "已退回");
    public static string RequiredNow => L("Required now", "当前必需");
    public static string Accept => L("Accept", "接受");
    public static string Reject => L("Reject", "退回");
    public static string RejectReason => L("Why is it rejected? The merchant reads this.", "退回原因（商户可见）");
    public static string Download => L("Download", "下载");
    public static string Upload => L("Upload for the merchant", "代商户上传");
    public static string EvidenceType => L("Evidence type", "材料类型");
    public static string ChooseFile => L("Choose file", "选择文件");
    public static string FileTooLarge(long maxBytes) => L($"The file is larger than {maxBytes / 1024 / 1024} MB.", $"文件超过 {maxBytes / 1024 / 1024} MB。");
    public static string NoEvidence => L("No evidence requested or received yet.", "尚未索取或收到材料。");
    public static string ProposeOffer => L("Propose an offer", "提出方案");
    public static string OfferKind => L("Kind", "方案类型");
    public static string Amount => L("Amount", "金额");
    public static string FinalOffer => L("Final offer", "最终方案");
    public static string Expires => L("Expires", "过期时间");
    public static string Approve => L("Approve", "批准");
    public static string Decline => L("Decline", "驳回");
    public static string NoOffers => L("No offers yet.", "暂无方案。");
    public static string AwaitsApproval => L("Waits for a supervisor's approval", "等待主管批准");
    public static string WithdrawOffer => L("Withdraw", "撤回");
    public static string NoWithdrawStep(int version) => L($"This case's workflow version (v{version}) has no withdraw step; migrate it to a newer version first.",
        $"此工单所用的流程版本（第 {version} 版）没有撤回方案这一步；请先将其迁移到新版本。");
    public static string OfferStatus(string status) => status switch
    {
        "awaiting-approval" => L("Awaiting approval", "待批准"),
        "open" => L("Open", "待商户答复"),
        "accepted" => L("Accepted", "已接受"),
        "rejected" => L("Rejected", "已拒绝"),
        "countered" => L("Countered", "已还价"),
        "expired" => L("Expired", "已过期"),
        "withdrawn" => L("Withdrawn", "已撤回"),
        "declined" => L("Declined by supervisor", "主管已驳回"),
        _ => status,
    };
    public static string EvidenceStatus(string status) => status switch
    {
        "requested" => Requested,
        "received" => Received,
        "accepted" => Accepted,
        "rejected" => Rejected,
        _ => status,
    };
    public static string Reply => L("Reply to merchant", "回复商户");
    public static string InternalNote => L("Internal note", "内部备注");
    public static string Send => L("Send", "发送");
    public static string AddNote => L("Add note", "添加备注");
    public static string CannedReply => L("Canned reply", "常用回复");
    public static string MessageText => L("Message", "内容");
    public static string MerchantSees => L("The merchant sees this message.", "商户将看到此消息。");
    public static string OnlyStaff => L("Only staff see internal notes.", "内部备注仅员工可见。");
    public static string ShowAll => L("Everything", "全部");
    public static string ShowMessages => L("Messages", "消息");
    public static string ShowNotes => L("Notes", "备注");
    public static string ShowSystem => L("System events", "系统事件");
    public static string CurrentState => L("Current state", "当前状态");
    public static string StatesOfWorkflow => L("States of this workflow", "此流程的状态");
    public static string DiagramSource => L("Mermaid source", "Mermaid 源码");
    public static string Internal => L("internal", "内部");
    public static string ByActor(string actor) => actor switch
    {
        "customer" => L("Merchant", "商户"),
        "agent" => L("Agent", "客服"),
        "supervisor" => L("Supervisor", "主管"),
        "system" => L("System", "系统"),
        _ => actor,
    };

    // Reports
    public static string Reports => L("Reports", "报表");
    public static string PeriodFrom => L("From", "开始日期");
    public static string PeriodTo => L("To", "结束日期");
    public static string ExportCsv => L("Export CSV", "导出 CSV");
    public static string ReportAsOf(string time) => L($"Backlog as of {time}; outcomes, money and resolution times for cases resolved in the period (Asia/Shanghai dates).",
        $"积压截至 {time}；结果、金额与解决时长按所选期间内解决的工单统计（北京时间）。");
    public static string BacklogByStateAndAge => L("Open backlog by state and age", "未关闭工单：按状态与时长");
    public static string OutcomesByType => L("Outcomes by case type", "各类工单结果");
    public static string RefundsAndWaivers => L("Refunds and waivers", "退款与减免");
    public static string MeanTimeToResolution => L("Mean time to resolution", "平均解决时长");
    public static string AgeUnder1Day => L("< 1 day", "不足 1 天");
    public static string Age1To3Days => L("1–3 days", "1–3 天");
    public static string Age3To7Days => L("3–7 days", "3–7 天");
    public static string AgeOver7Days => L("> 7 days", "超过 7 天");
    public static string Total => L("Total", "合计");
    public static string CasesCount => L("Cases", "工单数");
    public static string ResolvedCount => L("Resolved", "已解决");
    public static string MeanTime => L("Mean", "平均");
    public static string NothingInPeriod => L("Nothing in this period.", "此期间没有数据。");
    /// <summary>
    /// Business time (SLA clocks) in working hours and minutes, never days: a working day is 9 hours, not 24, so "1 d"
    /// would mislead either way.
    /// </summary>
    public static string WorkingDuration(TimeSpan span) =>
        span.TotalHours >= 1 ? L($"{(int)span.TotalHours} h {span.Minutes} min", $"{(int)span.TotalHours} 小时 {span.Minutes} 分钟")
        : L($"{span.Minutes} min", $"{span.Minutes} 分钟");

    public static string Duration(TimeSpan span) =>
        span.TotalDays >= 1 ? L($"{(int)span.TotalDays} d {span.Hours} h", $"{(int)span.TotalDays} 天 {span.Hours} 小时")
        : span.TotalHours >= 1 ? L($"{span.Hours} h {span.Minutes} min", $"{span.Hours} 小时 {span.Minutes} 分钟")
        : L($"{span.Minutes} min", $"{span.Minutes} 分钟");
    public static string MoneyKind(string kind) => kind == "refund-instructed"
        ? L("Refunds instructed to finance", "已通知财务退款")
        : L("Accepted offers: ", "已接受方案：") + T(Core.Cases.OfferKinds.Title(kind));

    // Administration
    public static string Admin => L("Admin", "管理");
    public static string AdminWorkflows => L("Workflow definitions", "流程定义");
    public static string Version => L("Version", "版本");
    public static string CaseNumberPrefix => L("Case numbers", "工单号前缀");
    public static string StatesCount => L("States", "状态数");
    public static string ShowDiagram => L("Diagram", "流程图");
    public static string Kind => L("Kind", "类型");
    public static string AdminUsers => L("Users", "用户");
    public static string AdminApiClients => L("API clients", "API 客户端");
    public static string AdminWebhooks => L("Webhook deliveries", "Webhook 投递");
    public static string JobsDashboard => L("Jobs (Hangfire)", "后台任务（Hangfire）");
    public static string DisplayName => L("Name", "姓名");
    public static string Role => L("Role", "角色");
    public static string SkillGroup => L("Skill group", "技能组");
    public static string SkillGroupName(string? group) => group switch
    {
        "device" => L("Devices", "机具"),
        "billing" => L("Billing", "计费"),
        _ => "",
    };
    public static string UserStatus => L("Status", "状态");
    public static string Active => L("Active", "正常");
    public static string Disabled => L("Disabled", "已停用");
    public static string LockedUntil(string time) => L($"Locked until {time}", $"锁定至 {time}");
    public static string LastSignIn => L("Last sign-in", "最近登录");
    public static string Never => L("never", "从未");
    public static string Created => L("Created", "创建时间");
    public static string NewUser => L("New user", "新建用户");
    public static string InitialPassword => L("Initial password", "初始密码");
    public static string PasswordHint(int minimum) => L($"At least {minimum} characters; tell the user in person.", $"至少 {minimum} 个字符，请当面告知用户。");
    public static string Create => L("Create", "创建");
    public static string Unlock => L("Unlock", "解锁");
    public static string Disable => L("Disable", "停用");
    public static string Enable => L("Enable", "启用");
    public static string ChangeRole => L("Change role", "更改角色");
    public static string Save => L("Save", "保存");
    public static string You => L("you", "您本人");
    public static string UserCreated(string login) => L($"User '{login}' created.", $"用户“{login}”已创建。");
    public static string ConfirmDisable(string login) => L($"Disable '{login}'? They can no longer sign in and get no new cases; their cases and history stay.",
        $"确定停用“{login}”吗？停用后无法登录，也不再分配新工单；其工单与记录保留。");
    public static string RoleChangeNote => L("The new role applies from the user's next sign-in.", "新角色将在该用户下次登录后生效。");
    public static string ClientName => L("Client name", "客户端名称");
    public static string ChannelKind => L("Channel kind", "渠道类型");
    public static string ChannelKindName(string? kind) => kind switch
    {
        "wechat" => L("WeChat service account", "微信服务号"),
        "app" => L("Merchant app", "商户 App"),
        "chatbot" => L("Chatbot", "智能客服机器人"),
        _ => "",
    };
    public static string ApiRoleName(string role) => role == "channel" ? L("Channel", "渠道") : RoleName(role);
    public static string WebhookUrl => L("Webhook URL", "Webhook 地址");
    public static string Revoked => L("Revoked", "已吊销");
    public static string Revoke => L("Revoke", "吊销");
    public static string NewApiClient => L("New API client", "新建 API 客户端");
    public static string ConfirmRevoke(string name) => L($"Revoke the key of '{name}'? Its requests are refused from now on; this cannot be undone.",
        $"确定吊销“{name}”的密钥吗？此后其请求将被拒绝，且无法撤销。");
    public static string KeyShownOnce => L("Copy the key now: it is shown only this once and cannot be read again.", "请立即复制密钥：仅显示这一次，之后无法再查看。");
    public static string ApiKey => L("API key", "API 密钥");
    public static string WebhookSecret => L("Webhook signing secret", "Webhook 签名密钥");
    public static string Copy => L("Copy", "复制");
    public static string Copied => L("Copied.", "已复制。");
    public static string Close => L("Close", "关闭");
    public static string ApiClientCreated(string name) => L($"API client '{name}' created", $"API 客户端“{name}”已创建");
    public static string DeliveryFilter(string filter) => filter switch
    {
        "pending" => L("Pending", "待投递"),
        "failed" => L("Failed, retrying", "失败重试中"),
        "delivered" => L("Delivered", "已投递"),
        "dead-letter" => L("Dead letters", "死信"),
        "needs-template" => L("Needs a template", "需模板消息"),
        _ => filter,
    };
    public static string DeliveryStatus(string filter) => filter switch
    {
        "dead-letter" => L("Dead letter", "死信"),
        _ => DeliveryFilter(filter),
    };
    public static string Client => L("Client", "客户端");
    public static string WebhookEvent => L("Event", "事件");
    public static string AttemptsCount => L("Attempts", "尝试次数");
    public static string NextAttempt => L("Next attempt", "下次尝试");
    public static string DeliveredAt => L("Delivered", "投递时间");
    public static string AttemptLog => L("Attempt log", "投递记录");
    public static string NoAttempts => L("Not tried yet.", "尚未尝试投递。");
    public static string NoDeliveries => L("No deliveries.", "没有投递记录。");
    public static string Retry => L("Retry", "重试");
    public static string RetryQueued => L("Queued for one more attempt.", "已重新排队，将再尝试一次。");
    public static string AttemptOutcome(string outcome) => outcome switch
    {
        "delivered" => L("delivered", "已投递"),
        "failed" => L("failed", "失败"),
        "needs-template" => L("needs a template message", "需模板消息"),
        _ => outcome,
    };
    public static string NewestShown(int count) => L($"The newest {count} are shown.", $"仅显示最新 {count} 条。");
    public static string StateKindName(StateKind kind) => kind switch
    {
        StateKind.Active => L("Active: the work is on us", "处理中"),
        StateKind.WaitingOnMerchant => L("Waiting on the merchant (SLA paused)", "等待商户（时效暂停）"),
        StateKind.Resolved => L("Resolved", "已解决"),
        _ => L("Final", "终态"),
    };

    // New case
    public static string FindMerchant => L("Find the merchant", "查找商户");
    public static string FindMerchantHint => L("Name, device serial number or last 4 of phone", "名称、机具序列号或手机号后四位");
    public static string NoMerchants => L("No merchant matches.", "没有匹配的商户。");
    public static string Choose => L("Choose", "选择");
    public static string Change => L("Change", "更换");
    public static string OpenCase => L("Open case", "创建工单");
    public static string CaseType => L("Case type", "工单类型");
    public static string AmountYuan => L("Amount (¥)", "金额（元）");
    public static string RatePercent => L("Rate charged (%)", "实收费率（%）");
    public static string OverchargedYuan => L("Amount overcharged (¥)", "多收金额（元）");
    public static string DeviceForCase => L("Device", "机具");
    public static string NoDeviceChoice => L("No device", "不关联机具");

    // Canned replies (sent as written; the merchant's language is shown beside them).
    public static IReadOnlyList<(string Key, LocalizedText Text)> CannedReplies { get; } =
    [
        ("received", new LocalizedText("We have received your request and are looking into it. We will get back to you soon.",
            "您好，我们已收到您的诉求，正在核实处理，稍后会尽快回复您。")),
        ("evidence", new LocalizedText("To continue, please send us the documents we asked for through the app or the WeChat service account.",
            "为继续处理，请通过 App 或微信服务号上传我们所需的材料。")),
        ("checking-contract", new LocalizedText("We are checking the terms of your service agreement and will come back with an answer.",
            "我们正在核对您的服务协议条款，核实后会给您答复。")),
        ("thanks", new LocalizedText("Thank you for your patience. Is there anything else we can help you with?",
            "感谢您的耐心等待，请问还有其他可以帮您的吗？")),
    ];

    public static string CannedTitle(string key) => key switch
    {
        "received" => L("Request received", "已收到诉求"),
        "evidence" => L("Please send documents", "请提交材料"),
        "checking-contract" => L("Checking the contract", "核对合同"),
        "thanks" => L("Thank you", "感谢"),
        _ => key,
    };

    /// <summary>What happened, for a timeline event kind.</summary>
    public static string EventTitle(string kind) => kind switch
    {
        "opened" => L("Case opened", "工单已创建"),
        "transition" => L("State changed", "状态变更"),
        "message" => L("Message", "消息"),
        "message-queued" => L("Message sent", "已发送消息"),
        "note" => L("Internal note", "内部备注"),
        "assigned" => L("Assigned", "已分配"),
        "unassigned" => L("Returned to the unassigned queue", "已退回待分配队列"),
        "escalation" => L("Escalated", "已升级"),
        "evidence-requested" => L("Evidence requested", "已索取材料"),
        "evidence-received" => L("Evidence received", "已收到材料"),
        "evidence-accepted" => L("Evidence accepted", "材料已接受"),
        "evidence-rejected" => L("Evidence rejected", "材料已退回"),
        "offer-proposed" => L("Offer proposed", "已提出方案"),
        "offer-approved" => L("Offer approved", "方案已批准"),
        "offer-declined" => L("Offer declined by supervisor", "方案被主管驳回"),
        "offer-answered" => L("Merchant answered the offer", "商户已答复方案"),
        "offer-withdrawn" => L("Offer withdrawn", "方案已撤回"),
        "contract-captured" => L("Contract terms looked up", "已调取合同条款"),
        "contract-missing" => L("No contract on file", "未找到合同"),
        "refund-instructed" => L("Refund instructed", "已通知财务退款"),
        "replacement-bound" => L("Replacement bound", "新机具已绑定"),
        "replacement-serial-missing" => L("Replacement serial missing", "缺少新机具序列号"),
        "linked-case-opened" => L("Linked case opened", "已创建关联工单"),
        "linked-from-case" => L("Opened from another case", "由其他工单创建"),
        "sensitive-revealed" => L("Merchant's phone number revealed", "已查看商户完整手机号"),
        "workflow-migrated" => L("Moved to a new workflow version", "已迁移到新流程版本"),
        // Other effects carried out on entering a state record themselves under the effect's name.
        _ => EffectCatalog.All.TryGetValue(kind, out var effect) ? T(effect.Title) : kind,
    };

    /// <summary>A <see cref="LocalizedText"/> stored in an event's JSON (<c>{"en": ..., "zhCn": ...}</c>).</summary>
    public static string T(JsonElement text) =>
        text.ValueKind == JsonValueKind.Object && text.TryGetProperty("en", out var en) && text.TryGetProperty("zhCn", out var zh)
            ? T(new LocalizedText(en.GetString() ?? "", zh.GetString() ?? ""))
            : text.ValueKind == JsonValueKind.String ? text.GetString() ?? "" : "";
}
