using System.Globalization;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Tests.Workflows;

/// <summary>Facts and inputs drawn from a seed, so property tests shrink to a seed and any failure replays exactly.</summary>
internal static class RandomCases
{
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

    public static WorkflowCatalog ShippedWorkflows { get; } = LoadShipped();

    private static WorkflowCatalog LoadShipped()
    {
        var result = WorkflowLoader.LoadDirectory(Path.Combine(AppContext.BaseDirectory, "workflows"));
        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Errors));
        return result.Catalog!;
    }

    public static CaseFacts Facts(int seed)
    {
        var random = new Random(seed);
        bool Coin() => random.Next(2) == 0;
        var evidence = EvidenceCatalog.All.Keys.Where(_ => random.Next(3) > 0).ToHashSet();
        return new CaseFacts
        {
            AcceptedEvidence = evidence,
            Contract = random.Next(6) == 0 ? null : new ContractFacts
            {
                HasDataFeeClause = Coin(),
                DataFeeAmountFen = 9_900,
                DataFeeFreeDays = Coin() ? 0 : 365,
                DataFeeWaiverVolumeFen = Coin() ? null : 50_000_000,
                RefundWindowDays = random.Next(0, 120),
                FeeNoticeGiven = Coin(),
                FeeRateBp = 49,
                WarrantyMonths = Coin() ? 12 : 24,
                ReplacementFeeFen = 19_900,
            },
            Device = Coin() ? null : new DeviceFacts
            {
                ActivatedOn = DateOnly.FromDateTime(Now.UtcDateTime).AddDays(-random.Next(0, 1_000)),
                PhysicalDamage = random.Next(4) == 0,
            },
            OpenOffer = Coin() ? null : new OfferFacts(random.Next(0, 40_000), Coin(), Coin()),
            DataFeeChargedOn = Coin() ? null : DateOnly.FromDateTime(Now.UtcDateTime).AddDays(-random.Next(0, 400)),
            TrailingYearVolumeFen = Coin() ? null : random.Next(0, 100_000_000),
            ChargedRateBp = Coin() ? null : random.Next(30, 70),
            AgreedReplacementFeeFen = Coin() ? 0 : 19_900,
        };
    }

    /// <summary>A value the input accepts.</summary>
    public static string ValidValue(InputDefinition input, Random random) => input.Type switch
    {
        InputType.Text => "text " + random.Next(1000).ToString(CultureInfo.InvariantCulture),
        InputType.WholeNumber => random.Next(-5, 50).ToString(CultureInfo.InvariantCulture),
        InputType.Money => random.Next(0, 40_000).ToString(CultureInfo.InvariantCulture),
        InputType.BasisPoints => random.Next(0, 200).ToString(CultureInfo.InvariantCulture),
        InputType.Boolean => random.Next(2) == 0 ? "true" : "false",
        InputType.Date => DateOnly.FromDateTime(Now.UtcDateTime).AddDays(-random.Next(0, 400)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => input.Options[random.Next(input.Options.Count)],
    };

    public static Dictionary<string, string> ValidInputs(IEnumerable<InputDefinition> inputs, Random random) =>
        inputs.ToDictionary(i => i.Name, i => ValidValue(i, random));

    /// <summary>Anything at all: missing, malformed, unknown names.</summary>
    public static Dictionary<string, string> JunkInputs(IEnumerable<InputDefinition> inputs, Random random)
    {
        string[] junk = ["", " ", "-1", "abc", "1e9", "2026-13-40", "TRUE", "'; drop table cases; --", "99999999999999999999"];
        var result = new Dictionary<string, string>();
        foreach (var input in inputs)
            if (random.Next(3) > 0) result[input.Name] = random.Next(2) == 0 ? junk[random.Next(junk.Length)] : ValidValue(input, random);
        if (random.Next(4) == 0) result["notAnInput"] = "x";
        return result;
    }
}
