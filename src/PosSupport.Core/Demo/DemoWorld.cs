using System.Globalization;
using PosSupport.Core.Merchants;

namespace PosSupport.Core.Demo;

internal enum DataFeeClause { None, Annual36FirstNinetyDaysFree, Triennial99, Annual99WaivedAboveVolume }

internal sealed record DemoUser(Guid Id, string Login, string DisplayName, string Role, string? SkillGroup, bool Away);

internal sealed record DemoChannel(Guid Id, string Name, string ConversationPrefix);

internal sealed record DemoContract(
    Guid Id, DateOnly SignedOn, int FeeRateBp, DataFeeClause Clause, long DataFeeAmountFen, int DataFeePeriodMonths, int DataFeeFreeDays,
    long? DataFeeWaiverVolumeFen, int RefundWindowDays, bool FeeNoticeClause, bool FeeNoticeGiven, int WarrantyMonths, long DepositFen,
    bool DepositPaid, long ReplacementFeeFen, bool DeviceLeased);

internal sealed record DemoDevice(Guid Id, string SerialNumber, string Model, DateOnly? ActivatedOn, bool PhysicalDamage, Guid? MerchantId)
{
    public string Status => MerchantId is null ? "in-stock" : "active";

    /// <summary>Phone POS readers use the phone's network: no SIM, no data fee.</summary>
    public bool HasSim => Model != "phone";
}

internal sealed record DemoMerchant(
    Guid Id, string Name, string Category, string Mcc, string LicenceNumber, string Phone, string PreferredLanguage, long TrailingYearVolumeFen,
    DateTimeOffset CreatedAt, string City, DemoContract? Contract, IReadOnlyList<DemoDevice> Devices)
{
    public int SimDevices => Math.Max(1, Devices.Count(d => d.HasSim));
}

/// <summary>
/// The merchants, devices, contracts, users and channel clients of the demo, drawn from one seeded <see cref="Random"/>
/// and dated relative to <c>today</c>, so every run on every machine produces the same names, numbers and ages.
/// </summary>
internal sealed class DemoWorld
{
    /// <summary>Card fee rate by merchant category, in basis points.</summary>
    public static readonly IReadOnlyDictionary<string, int> FeeRateBp = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["supermarket"] = 38, ["retail"] = 55, ["beauty"] = 55, ["catering"] = 60, ["entertainment"] = 60,
    };

    // Name, category, MCC, preferred language. Convenience stores and fruit shops count as "supermarket" (the 38 bp class).
    private static readonly (string Name, string Category, string Mcc, string Language)[] Shops =
    [
        ("老王烧烤店", "catering", "5812", "zh-CN"), ("川味小厨", "catering", "5812", "zh-CN"), ("张记牛肉面", "catering", "5814", "zh-CN"),
        ("兰州拉面馆", "catering", "5814", "zh-CN"), ("沙县小吃", "catering", "5814", "zh-CN"), ("阿婆手工水饺", "catering", "5814", "zh-CN"),
        ("湘里人家土菜馆", "catering", "5812", "zh-CN"), ("Joe's Coffee 咖啡馆", "catering", "5814", "en"), ("麦香园早餐店", "catering", "5814", "zh-CN"),
        ("老街麻辣烫", "catering", "5814", "zh-CN"), ("金满楼茶餐厅", "catering", "5812", "zh-CN"), ("甜心奶茶铺", "catering", "5814", "zh-CN"),
        ("Mario 意式披萨", "catering", "5812", "en"), ("东北饺子馆", "catering", "5812", "zh-CN"),
        ("便民超市", "supermarket", "5411", "zh-CN"), ("惠民生鲜超市", "supermarket", "5411", "zh-CN"), ("家家乐超市", "supermarket", "5411", "zh-CN"),
        ("万家福便利店", "supermarket", "5499", "zh-CN"), ("阳光便利店", "supermarket", "5499", "zh-CN"), ("百姓平价超市", "supermarket", "5411", "zh-CN"),
        ("日日鲜水果店", "supermarket", "5499", "zh-CN"), ("社区果蔬店", "supermarket", "5499", "zh-CN"), ("诚信粮油店", "supermarket", "5499", "zh-CN"),
        ("邻里小卖部", "supermarket", "5499", "zh-CN"), ("星月24小时便利店", "supermarket", "5499", "zh-CN"),
        ("阿芳美甲", "beauty", "7230", "zh-CN"), ("丽人美发沙龙", "beauty", "7230", "zh-CN"), ("小美美容院", "beauty", "7230", "zh-CN"),
        ("剪艺理发店", "beauty", "7230", "zh-CN"), ("悦容养生馆", "beauty", "7298", "zh-CN"), ("花间美睫", "beauty", "7230", "zh-CN"),
        ("靓点造型工作室", "beauty", "7230", "zh-CN"),
        ("启明文具店", "retail", "5943", "zh-CN"), ("花语鲜花店", "retail", "5992", "zh-CN"), ("童趣玩具屋", "retail", "5945", "zh-CN"),
        ("足下生辉鞋店", "retail", "5661", "zh-CN"), ("悦衣坊服装店", "retail", "5651", "zh-CN"), ("数码通手机店", "retail", "5732", "zh-CN"),
        ("老李五金店", "retail", "5251", "zh-CN"), ("书香书店", "retail", "5942", "zh-CN"), ("宠物之家", "retail", "5995", "zh-CN"),
        ("明视眼镜店", "retail", "8043", "zh-CN"), ("茗品茶行", "retail", "5999", "zh-CN"),
        ("欢唱KTV", "entertainment", "7911", "zh-CN"), ("星光台球俱乐部", "entertainment", "7932", "zh-CN"), ("极速电玩城", "entertainment", "7994", "zh-CN"),
        ("动感健身房", "entertainment", "7997", "zh-CN"), ("迷城密室逃脱", "entertainment", "7999", "zh-CN"), ("棋乐桌游吧", "entertainment", "7999", "zh-CN"),
        ("光影私人影院", "entertainment", "7832", "zh-CN"),
    ];

    private static readonly (string Division, string City)[] Divisions =
    [
        ("110105", "北京朝阳"), ("310115", "上海浦东"), ("440106", "广州天河"), ("440305", "深圳南山"), ("330106", "杭州西湖"),
        ("510107", "成都武侯"), ("420106", "武汉武昌"), ("320102", "南京玄武"), ("610113", "西安雁塔"), ("500103", "重庆渝中"),
    ];

    private static readonly string[] MobilePrefixes =
        ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156", "157", "158", "159",
         "166", "173", "176", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "191", "198", "199"];

    // Yearly card volume by category, in units of 10,000 CNY (万元).
    private static readonly Dictionary<string, (int Min, int Max)> VolumeWan = new(StringComparer.Ordinal)
    {
        ["supermarket"] = (20, 400), ["catering"] = (8, 150), ["beauty"] = (5, 80), ["retail"] = (5, 120), ["entertainment"] = (10, 200),
    };

    /// <summary>The volume above which the "waived above a yearly volume" clause waives the fee: 300,000 CNY.</summary>
    public const long WaiverVolumeFen = 30_000_000;

    private readonly Random _random;
    private readonly HashSet<string> _serials = new(StringComparer.Ordinal);
    private readonly HashSet<string> _licences = new(StringComparer.Ordinal);

    public DemoWorld(Random random, DateTimeOffset now)
    {
        _random = random;
        Now = now;
        Today = DateOnly.FromDateTime(now.UtcDateTime);
        Users =
        [
            User("zhang.min", "张敏", "agent", "device"), User("wang.qiang", "王强", "agent", "device"), User("liu.yang", "刘洋", "agent", "device"),
            User("agent", "陈静", "agent", "billing"), User("zhao.lei", "赵磊", "agent", "billing"), User("sun.li", "孙丽", "agent", "billing", away: true),
            User("supervisor", "李华", "supervisor", null), User("admin", "系统管理员", "admin", null),
        ];
        Channels = [new(NewId(), ChannelNames[0], "wx"), new(NewId(), ChannelNames[1], "app"), new(NewId(), ChannelNames[2], "bot")];
        Merchants = Shops.Select(Merchant).ToList();
        Stock = Enumerable.Range(0, 14).Select(i => Device(Models[i % Models.Length], activatedOn: null, damaged: false, merchantId: null)).ToList();
    }

    public DateTimeOffset Now { get; }
    public DateOnly Today { get; }
    public IReadOnlyList<DemoUser> Users { get; }
    public IReadOnlyList<DemoChannel> Channels { get; }

    /// <summary>The demo's chat-channel clients: <c>apikeys create</c> keeps these names free, or seeding an empty database would fail.</summary>
    internal static readonly string[] ChannelNames = ["wechat-service-account", "merchant-app", "chatbot"];
    public IReadOnlyList<DemoMerchant> Merchants { get; }

    /// <summary>Spare terminals in the warehouse: replacements are shipped from here.</summary>
    public IReadOnlyList<DemoDevice> Stock { get; }

    public DemoUser Supervisor => Users.Single(u => u.Role == "supervisor");

    public IEnumerable<DemoUser> AvailableAgents(string skillGroup) => Users.Where(u => u.Role == "agent" && u.SkillGroup == skillGroup && !u.Away);

    private static readonly string[] Models = ["countertop", "smart", "e-signature", "phone"];
    private static readonly long[] Deposits = [0, 0, 0, 9_900, 19_900];
    private static readonly int[] RefundWindows = [7, 30, 30, 90];
    private static readonly long[] ReplacementFees = [19_900, 19_900, 29_900];

    /// <summary>A version-4 Guid from the seeded generator (never <see cref="Guid.NewGuid"/>: ids must repeat run to run).</summary>
    public Guid NewId()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    public int Next(int minInclusive, int maxExclusive) => _random.Next(minInclusive, maxExclusive);

    public bool Chance(double probability) => _random.NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    public string Digits(int count) => string.Concat(Enumerable.Range(0, count).Select(_ => (char)('0' + _random.Next(10))));

    private DemoUser User(string login, string name, string role, string? group, bool away = false) => new(NewId(), login, name, role, group, away);

    private DemoMerchant Merchant((string Name, string Category, string Mcc, string Language) shop, int index)
    {
        var id = NewId();
        var (division, city) = Pick(Divisions);
        var brandNew = index % 9 == 4;
        var deviceCount = index % 6 == 0 ? 2 + _random.Next(2) : _random.NextDouble() switch { < 0.6 => 1, < 0.9 => 2, _ => 3 };
        var devices = Enumerable.Range(0, deviceCount).Select(_ =>
        {
            var model = _random.NextDouble() switch { < 0.35 => "e-signature", < 0.65 => "smart", < 0.85 => "countertop", _ => "phone" };
            var activated = Today.AddDays(-(brandNew ? _random.Next(25, 61) : _random.Next(30, 1100)));
            return Device(model, activated, damaged: _random.NextDouble() < 0.1, id);
        }).ToList();
        var (min, max) = VolumeWan[shop.Category];
        var firstActivation = devices.Min(d => d.ActivatedOn!.Value);
        var clause = (DataFeeClause)(index % 4);
        var contract = index % 17 == 5 ? null : Contract(shop.Category, clause, firstActivation.AddDays(-_random.Next(1, 30)));
        return new DemoMerchant(id, shop.Name, shop.Category, shop.Mcc, Licence(division), Mobile(), shop.Language,
            _random.Next(min, max + 1) * 1_000_000L, Now.AddDays(-(Today.DayNumber - firstActivation.DayNumber) - 3), city, contract, devices);
    }

    private DemoContract Contract(string category, DataFeeClause clause, DateOnly signedOn)
    {
        var (amount, period, freeDays, waiver) = clause switch
        {
            DataFeeClause.Annual36FirstNinetyDaysFree => (3_600L, 12, 90, (long?)null),
            DataFeeClause.Triennial99 => (9_900L, 36, 0, null),
            DataFeeClause.Annual99WaivedAboveVolume => (9_900L, 12, 0, WaiverVolumeFen),
            _ => (0L, 12, 0, null),
        };
        var hasClause = clause != DataFeeClause.None;
        var deposit = Pick(Deposits);
        return new DemoContract(NewId(), signedOn, FeeRateBp[category], clause, amount, period, freeDays, waiver,
            RefundWindowDays: Pick(RefundWindows), FeeNoticeClause: hasClause, FeeNoticeGiven: hasClause && _random.NextDouble() < 0.8,
            WarrantyMonths: _random.NextDouble() < 0.7 ? 12 : 24, DepositFen: deposit, DepositPaid: deposit > 0 && _random.NextDouble() < 0.8,
            ReplacementFeeFen: Pick(ReplacementFees), DeviceLeased: _random.NextDouble() < 0.7);
    }

    private DemoDevice Device(string model, DateOnly? activatedOn, bool damaged, Guid? merchantId)
    {
        string serial;
        do
        {
            var year = (activatedOn ?? Today).Year % 100;
            serial = model switch
            {
                "countertop" => FormattableString.Invariant($"NL{year:00}{Digits(8)}"),
                "smart" => "18" + Digits(8),
                "e-signature" => FormattableString.Invariant($"CS{year:00}{(char)('A' + _random.Next(6))}{Digits(7)}"),
                _ => "MP" + _random.Next(0x1000_0000, int.MaxValue).ToString("X8", CultureInfo.InvariantCulture),
            };
        }
        while (!_serials.Add(serial));
        return new DemoDevice(NewId(), serial, model, activatedOn, damaged, merchantId);
    }

    // Format-valid and fake: an individual business (92) or a company (91), "MA" plus six random characters as the body.
    private string Licence(string division)
    {
        string licence;
        do
        {
            var body = "MA" + string.Concat(Enumerable.Range(0, 6).Select(_ => UnifiedSocialCreditCode.Alphabet[_random.Next(UnifiedSocialCreditCode.Alphabet.Length)]));
            licence = UnifiedSocialCreditCode.Create(_random.NextDouble() < 0.7 ? "92" : "91", division, body);
        }
        while (!_licences.Add(licence));
        return licence;
    }

    private string Mobile() => Pick(MobilePrefixes) + Digits(8);
}
