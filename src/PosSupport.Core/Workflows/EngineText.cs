using System.Globalization;

namespace PosSupport.Core.Workflows;

/// <summary>The engine's own words for blocked actions, in both languages.</summary>
internal static class EngineText
{
    public static readonly LocalizedText NoSuchAction = new("There is no action '{0}' in the state '{1}'", "当前状态「{1}」下没有操作「{0}」");
    public static readonly LocalizedText OnlyActors = new("Only {0} may do this", "仅{0}可执行此操作");
    public static readonly LocalizedText Required = new("Required: {0}", "必填：{0}");
    public static readonly LocalizedText NotAnInput = new("'{0}' is not an input of this action", "「{0}」不是此操作的输入项");
    public static readonly LocalizedText MustBeOneOf = new("{0} must be one of: {1}", "{0}须为以下之一：{1}");

    private static readonly Dictionary<InputType, LocalizedText> MustBe = new()
    {
        [InputType.Text] = new("{0} must not be empty", "{0}不能为空"),
        [InputType.WholeNumber] = new("{0} must be a whole number", "{0}须为整数"),
        [InputType.Money] = new("{0} must be an amount in fen (a whole number, 0 or more)", "{0}须为以分计的金额（不小于 0 的整数）"),
        [InputType.BasisPoints] = new("{0} must be in basis points (a whole number from 0 to 10000; 0.49% is 49)", "{0}须以基点表示（0 至 10000 的整数，0.49% 即 49）"),
        [InputType.Boolean] = new("{0} must be true or false", "{0}须为 true 或 false"),
        [InputType.Date] = new("{0} must be a date written yyyy-MM-dd, e.g. 2026-11-23", "{0}须为 yyyy-MM-dd 格式的日期，如 2026-11-23"),
    };

    private static readonly Dictionary<Actor, LocalizedText> ActorNames = new()
    {
        [Actor.Customer] = new("the merchant", "商户"),
        [Actor.Agent] = new("an agent", "客服"),
        [Actor.Supervisor] = new("a supervisor", "主管"),
        [Actor.System] = new("the system", "系统"),
    };

    public static LocalizedText Format(LocalizedText template, params LocalizedText[] args) => new(
        string.Format(CultureInfo.InvariantCulture, template.En, args.Select(a => (object)a.En).ToArray()),
        string.Format(CultureInfo.InvariantCulture, template.ZhCn, args.Select(a => (object)a.ZhCn).ToArray()));

    public static LocalizedText Literal(string text) => new(text, text);

    public static LocalizedText InvalidInput(InputDefinition input) => input.Type == InputType.Choice
        ? Format(MustBeOneOf, input.Title, Literal(string.Join(", ", input.Options)))
        : Format(MustBe[input.Type], input.Title);

    public static LocalizedText Actors(IEnumerable<Actor> actors)
    {
        var names = actors.Select(a => ActorNames[a]).ToList();
        return Format(OnlyActors, new LocalizedText(
            string.Join(" or ", names.Select(n => n.En)),
            string.Join("或", names.Select(n => n.ZhCn))));
    }
}
