using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PosSupport.Core.Workflows;

/// <summary>
/// Checks a document against <c>workflow.schema.json</c>, so the file editors use for completion is also the
/// one source of the structural rules. It understands the subset of JSON Schema 2020-12 that file uses and
/// refuses a schema that uses anything else, rather than silently ignoring a rule.
/// </summary>
internal sealed class SchemaValidator
{
    private static readonly HashSet<string> Annotations = new(StringComparer.Ordinal)
        { "$schema", "$id", "title", "description", "markdownDescription", "default", "examples", "$defs", "patternErrorMessage" };

    private static readonly HashSet<string> Supported = new(StringComparer.Ordinal)
    {
        "type", "properties", "required", "additionalProperties", "propertyNames", "minProperties", "$ref",
        "enum", "const", "items", "minItems", "uniqueItems", "pattern", "minLength", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum",
    };

    private readonly JsonElement _root;
    private readonly Dictionary<string, Regex> _patterns = new(StringComparer.Ordinal);

    public SchemaValidator(JsonElement schemaRoot)
    {
        _root = schemaRoot;
        CheckKeywords(schemaRoot, "#");
    }

    public static SchemaValidator Embedded { get; } = LoadEmbedded();

    private static SchemaValidator LoadEmbedded()
    {
        using var stream = typeof(SchemaValidator).Assembly.GetManifestResourceStream("PosSupport.Core.Workflows.workflow.schema.json")
            ?? throw new InvalidOperationException("workflow.schema.json is not embedded in PosSupport.Core.");
        using var document = JsonDocument.Parse(stream);
        return new SchemaValidator(document.RootElement.Clone());
    }

    public void Validate(JsonElement instance, Action<string, string> error) => Validate(_root, instance, JsonPath.Root, error);

    private void Validate(JsonElement schema, JsonElement value, string path, Action<string, string> error)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            Validate(Resolve(reference.GetString()!), value, path, error);
        }
        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(constant, value))
        {
            error(path, $"must be {constant.GetRawText()}");
            return;
        }
        if (schema.TryGetProperty("enum", out var options))
        {
            var found = false;
            foreach (var option in options.EnumerateArray()) found |= JsonElement.DeepEquals(option, value);
            if (!found)
            {
                error(path, $"{Describe(value)} is not one of {string.Join(", ", options.EnumerateArray().Select(o => o.ToString()))}");
                return;
            }
        }
        if (schema.TryGetProperty("type", out var type) && !HasType(value, type.GetString()!))
        {
            error(path, $"expected {type.GetString()}, found {Describe(value)}");
            return;
        }
        switch (value.ValueKind)
        {
            case JsonValueKind.Object: ValidateObject(schema, value, path, error); break;
            case JsonValueKind.Array: ValidateArray(schema, value, path, error); break;
            case JsonValueKind.String: ValidateString(schema, value.GetString()!, path, error); break;
            case JsonValueKind.Number: ValidateNumber(schema, value.GetDouble(), path, error); break;
        }
    }

    private void ValidateObject(JsonElement schema, JsonElement value, string path, Action<string, string> error)
    {
        if (schema.TryGetProperty("required", out var required))
            foreach (var name in required.EnumerateArray())
                if (!value.TryGetProperty(name.GetString()!, out _))
                    error(path, $"required property '{name.GetString()}' is missing");

        if (schema.TryGetProperty("minProperties", out var min) && value.EnumerateObject().Count() < min.GetInt32())
            error(path, $"must have at least {min.GetInt32()} entr{(min.GetInt32() == 1 ? "y" : "ies")}");

        schema.TryGetProperty("properties", out var properties);
        schema.TryGetProperty("additionalProperties", out var additional);
        schema.TryGetProperty("propertyNames", out var propertyNames);
        foreach (var property in value.EnumerateObject())
        {
            var childPath = JsonPath.Property(path, property.Name);
            if (propertyNames.ValueKind == JsonValueKind.Object)
            {
                using var nameDocument = JsonDocument.Parse(JsonSerializer.Serialize(property.Name));
                Validate(propertyNames, nameDocument.RootElement, childPath, (p, m) => error(p, "name " + m));
            }
            if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var propertySchema))
                Validate(propertySchema, property.Value, childPath, error);
            else if (additional.ValueKind == JsonValueKind.False)
                error(path, $"unknown property '{property.Name}'");
            else if (additional.ValueKind == JsonValueKind.Object)
                Validate(additional, property.Value, childPath, error);
        }
    }

    private void ValidateArray(JsonElement schema, JsonElement value, string path, Action<string, string> error)
    {
        var length = value.GetArrayLength();
        if (schema.TryGetProperty("minItems", out var min) && length < min.GetInt32())
            error(path, $"must have at least {min.GetInt32()} item{(min.GetInt32() == 1 ? "" : "s")}");
        if (schema.TryGetProperty("uniqueItems", out var unique) && unique.ValueKind == JsonValueKind.True)
        {
            var items = value.EnumerateArray().ToList();
            for (var i = 0; i < items.Count; i++)
                for (var j = 0; j < i; j++)
                    if (JsonElement.DeepEquals(items[i], items[j]))
                    {
                        error(JsonPath.Index(path, i), $"{Describe(items[i])} is listed twice");
                        break;
                    }
        }
        if (schema.TryGetProperty("items", out var itemSchema))
        {
            var index = 0;
            foreach (var item in value.EnumerateArray()) Validate(itemSchema, item, JsonPath.Index(path, index++), error);
        }
    }

    private void ValidateString(JsonElement schema, string text, string path, Action<string, string> error)
    {
        if (schema.TryGetProperty("minLength", out var min) && text.Length < min.GetInt32())
            error(path, min.GetInt32() == 1 ? "must not be empty" : $"must be at least {min.GetInt32()} characters");
        if (schema.TryGetProperty("pattern", out var pattern) && !Regex(pattern.GetString()!).IsMatch(text))
            error(path, schema.TryGetProperty("patternErrorMessage", out var explained)
                ? $"'{text}': {explained.GetString()}"
                : $"'{text}' does not match {pattern.GetString()}");
    }

    private static void ValidateNumber(JsonElement schema, double number, string path, Action<string, string> error)
    {
        if (schema.TryGetProperty("minimum", out var min) && number < min.GetDouble())
            error(path, $"must be at least {min.GetRawText()}");
        if (schema.TryGetProperty("maximum", out var max) && number > max.GetDouble())
            error(path, $"must be at most {max.GetRawText()}");
        if (schema.TryGetProperty("exclusiveMinimum", out var xmin) && number <= xmin.GetDouble())
            error(path, $"must be greater than {xmin.GetRawText()}");
        if (schema.TryGetProperty("exclusiveMaximum", out var xmax) && number >= xmax.GetDouble())
            error(path, $"must be less than {xmax.GetRawText()}");
    }

    private static bool HasType(JsonElement value, string type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => throw new InvalidOperationException($"workflow.schema.json uses unsupported type '{type}'."),
    };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"'{value.GetString()}'",
        JsonValueKind.Number => value.TryGetInt64(out _) ? $"integer {value.GetRawText()}" : $"number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"boolean {value.GetRawText()}",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    private JsonElement Resolve(string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
            throw new InvalidOperationException($"workflow.schema.json: only local $ref is supported, found '{reference}'.");
        var node = _root;
        foreach (var segment in reference[2..].Split('/'))
            if (!node.TryGetProperty(segment, out node))
                throw new InvalidOperationException($"workflow.schema.json: $ref '{reference}' points nowhere.");
        return node;
    }

    private Regex Regex(string pattern)
    {
        if (!_patterns.TryGetValue(pattern, out var regex))
            _patterns[pattern] = regex = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        return regex;
    }

    private void CheckKeywords(JsonElement schema, string path)
    {
        if (schema.ValueKind != JsonValueKind.Object) return;
        foreach (var keyword in schema.EnumerateObject())
        {
            var here = path + "/" + keyword.Name;
            if (keyword.Name == "$defs" || keyword.Name == "properties")
            {
                foreach (var child in keyword.Value.EnumerateObject()) CheckKeywords(child.Value, here + "/" + child.Name);
                continue;
            }
            if (Annotations.Contains(keyword.Name)) continue;
            if (!Supported.Contains(keyword.Name))
                throw new InvalidOperationException(string.Format(CultureInfo.InvariantCulture,
                    "workflow.schema.json: keyword '{0}' at {1} is not understood by the loader; extend SchemaValidator first.", keyword.Name, here));
            if (keyword.Name is "items" or "additionalProperties" or "propertyNames") CheckKeywords(keyword.Value, here);
            if (keyword.Name == "$ref") Resolve(keyword.Value.GetString()!);
        }
    }
}
