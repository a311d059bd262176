using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Models;

namespace RobustnessLab.Training;

/// <summary>
/// Trains one model from scratch, or continues the run its checkpoint store holds: the one front door of training,
/// behind <c>lab train</c> and a config's <c>models:</c> entries. The model's normalisation comes from the training
/// rows (from the stored run when continuing one); checkpoints go to the store the caller supplies.
/// </summary>
public sealed class ModelTraining(LabContext context)
{
    /// <summary>Trains; the caller owns (and disposes) the returned model.</summary>
    /// <param name="datasetName">The data's name in model.json and in the resume check (the dataset the adapter loaded).</param>
    public (Classifier Model, ModelTrainingResult Result) Run(ModelTrainingOptions options, DataSplits data, string datasetName,
        ITrainingCheckpoints? checkpoints = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        options = options.Resolved();
        options.Validate();
        var (mean, std) = Trainer.ChannelStatistics(data.Train);
        var spec = ModelZoo.Spec(options.Architecture, [data.Channels, data.Height, data.Width], data.ClassNames, mean, std, options.Args);
        // Normalisation comes from the run being continued; architecture and arguments must match it (the trainer names every difference).
        if (checkpoints?.Resumable() is { } saved)
            spec = spec with { Mean = saved.Info.Normalization.Mean, Std = saved.Info.Normalization.Std };
        var trainer = new Trainer(context);
        var model = trainer.CreateModel(spec, options.Training.Seed);
        try
        {
            var training = trainer.Train(model, data, options.Training, checkpoints, datasetName, progress, cancel);
            return (model, new ModelTrainingResult
            {
                Spec = model.Spec,
                Parameters = model.ParameterCount(),
                Dataset = datasetName,
                Options = options,
                Training = training,
            });
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
