using System.Globalization;

namespace RobustnessLab.Experiments.Config;

/// <summary>A scalar as written. Quoted scalars are always strings; plain ones may be numbers, booleans or null.</summary>
public sealed class ConfigScalar(string value, bool quoted, SourcePosition position) : ConfigNode(position)
{
    public string Value { get; } = value;
    public bool Quoted { get; } = quoted;

    /// <summary>Plain <c>~</c> or <c>null</c>: the key is explicitly unset.</summary>
    public bool IsNull => !Quoted && (Value is "~" or "null" or "Null" or "NULL");

    /// <summary>A plain empty value (<c>eval:</c> with nothing after it): "present, with defaults".</summary>
    public bool IsEmpty => !Quoted && Value.Length == 0;

    public bool TryGetDouble(out double value)
    {
        value = 0;
        return !Quoted && double.TryParse(Value, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    public bool TryGetLong(out long value)
    {
        value = 0;
        return !Quoted && long.TryParse(Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    public bool TryGetBool(out bool value)
    {
        value = false;
        if (Quoted) return false;
        if (Value is "true" or "True" or "TRUE") { value = true; return true; }
        return Value is "false" or "False" or "FALSE";
    }

    public override ConfigNode Clone() => new ConfigScalar(Value, Quoted, Position);

    public override string Describe() =>
        Quoted ? $"the string \"{Value}\"" : IsNull ? "null" : IsEmpty ? "an empty value" : $"'{Value}'";
}
