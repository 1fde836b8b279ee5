using System.Globalization;
using FluentValidation;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Pipeline;

/// <summary>
/// Validation messages in the language of the request: the text is chosen when the rule fails, by
/// <see cref="CultureInfo.CurrentUICulture"/> (the API sets it from Accept-Language), like FluentValidation's own messages.
/// </summary>
public static class LocalizedRules
{
    public static IRuleBuilderOptions<T, TProperty> WithText<T, TProperty>(this IRuleBuilderOptions<T, TProperty> rule, LocalizedText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return rule.WithMessage(_ => text.For(CultureInfo.CurrentUICulture));
    }
}
