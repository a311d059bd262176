using System.Text.Json.Nodes;

namespace RobustnessLab.Reporting;

/// <summary>A table the gallery renders sortable; cells are numbers or strings.</summary>
public sealed record TableView(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<JsonNode?>> Rows, string? Caption = null);
