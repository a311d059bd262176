using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RobustnessLab.Core;

/// <summary>The one JSON style of the lab's files: snake_case names, indented, finite numbers only.</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string text, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(text, Options) ?? throw new LabException($"{what}: empty JSON document");
        }
        catch (JsonException e)
        {
            throw new LabException($"{what}: invalid JSON ({e.Message})", e);
        }
    }

    public static void WriteFile<T>(string path, T value) => AtomicFile.WriteAllText(path, Serialize(value) + "\n");

    public static T ReadFile<T>(string path)
    {
        if (!File.Exists(path)) throw new LabException($"{path}: file not found");
        return Deserialize<T>(File.ReadAllText(path), path);
    }
}
