using System.Globalization;
using System.Text.Json.Serialization;

namespace RobustnessLab.Training;

/// <summary>One line of the training log (train-log.csv and model.json's history).</summary>
public sealed record EpochRecord
{
    [JsonPropertyName("epoch")] public int Epoch { get; init; }
    [JsonPropertyName("train_loss")] public double TrainLoss { get; init; }
    [JsonPropertyName("train_accuracy")] public double TrainAccuracy { get; init; }
    [JsonPropertyName("val_loss")] public double ValLoss { get; init; }
    [JsonPropertyName("val_accuracy")] public double ValAccuracy { get; init; }
    [JsonPropertyName("test_accuracy")] public double TestAccuracy { get; init; }
    [JsonPropertyName("lr")] public double LearningRate { get; init; }
    [JsonPropertyName("seconds")] public double Seconds { get; init; }
    [JsonPropertyName("images_per_s")] public double ImagesPerSecond { get; init; }
    [JsonPropertyName("rss_mb")] public double RssMb { get; init; }

    public const string CsvHeader = "epoch,train_loss,train_accuracy,val_loss,val_accuracy,test_accuracy,lr,seconds,images_per_s,rss_mb";

    public string ToCsv() => string.Join(",",
        Epoch.ToString(CultureInfo.InvariantCulture),
        F(TrainLoss), F(TrainAccuracy), F(ValLoss), F(ValAccuracy), F(TestAccuracy), F(LearningRate), F(Seconds), F(ImagesPerSecond), F(RssMb));

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
