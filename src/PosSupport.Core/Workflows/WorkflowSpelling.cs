namespace PosSupport.Core.Workflows;

/// <summary>
/// Enum values spelled as workflow files spell them, both ways, so the loader, the engine's reason codes
/// and API readers all use the words authors write.
/// </summary>
public static class WorkflowSpelling
{
    private static readonly (StateKind Value, string Text)[] Kinds =
        [(StateKind.Active, "active"), (StateKind.WaitingOnMerchant, "waiting-on-merchant"), (StateKind.Resolved, "resolved"), (StateKind.Final, "final")];

    private static readonly (Actor Value, string Text)[] Actors =
        [(Actor.Customer, "customer"), (Actor.Agent, "agent"), (Actor.Supervisor, "supervisor"), (Actor.System, "system")];

    private static readonly (InputType Value, string Text)[] InputTypes =
    [
        (InputType.Text, "text"), (InputType.WholeNumber, "integer"), (InputType.Money, "money"), (InputType.BasisPoints, "basis-points"),
        (InputType.Boolean, "boolean"), (InputType.Date, "date"), (InputType.Choice, "choice"),
    ];

    private static readonly (Priority Value, string Text)[] Priorities =
        [(Priority.Low, "low"), (Priority.Normal, "normal"), (Priority.High, "high"), (Priority.Urgent, "urgent")];

    public static string Of(StateKind kind) => Find(Kinds, kind);
    public static string Of(Priority priority) => Find(Priorities, priority);
    public static Priority ParsePriority(string text) => Parse(Priorities, text);
    public static string Of(Actor actor) => Find(Actors, actor);
    public static string Of(InputType type) => Find(InputTypes, type);

    public static StateKind ParseStateKind(string text) => Parse(Kinds, text);
    public static Actor ParseActor(string text) => Parse(Actors, text);
    public static InputType ParseInputType(string text) => Parse(InputTypes, text);

    private static string Find<T>((T Value, string Text)[] table, T value) where T : struct, Enum
    {
        foreach (var (v, text) in table)
            if (EqualityComparer<T>.Default.Equals(v, value)) return text;
        throw new ArgumentOutOfRangeException(nameof(value), value, null);
    }

    private static T Parse<T>((T Value, string Text)[] table, string text) where T : struct, Enum
    {
        foreach (var (value, t) in table)
            if (t == text) return value;
        throw new ArgumentOutOfRangeException(nameof(text), text, $"not a {typeof(T).Name} spelling");
    }
}
