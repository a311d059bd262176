using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using RobustnessLab.Core;
using RobustnessLab.Reporting;

namespace RobustnessLab.Experiments;

/// <summary>A finished stage as saved in its point's stages/NAME.json: a resumed run reuses it when the fingerprint matches.</summary>
public sealed record StageRecord
{
    public string Stage { get; init; } = "";
    public int Version { get; init; }
    public string Fingerprint { get; init; } = "";
    public JsonNode? Data { get; init; }
    public StageView View { get; init; } = new();
    public double Seconds { get; init; }

    /// <summary>
    /// SHA-256 of the record's other fields as written, so a record changed on disk (a flipped bit, a hand edit) is
    /// computed again rather than reused; null in records written before it was stored.
    /// </summary>
    public string? Sha256 { get; init; }

    /// <summary>This record with its <see cref="Sha256"/> set, as it is written.</summary>
    public StageRecord Sealed() => this with { Sha256 = ContentHash() };

    /// <summary>Whether the record still holds what was written (records without a hash predate it and count as intact).</summary>
    public bool IsIntact => Sha256 is null || Sha256 == ContentHash();

    private string ContentHash() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Json.Serialize(this with { Sha256 = null }))));
}
