using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Models;
using RobustnessLab.Training;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.Attacks;

/// <summary>
/// A small cnn (with BatchNorm and dropout) trained for a few seconds on the toy quadrant data, plus a batch to
/// attack. Shared by the fast invariant tests; one thread, fixed seed.
/// </summary>
public sealed class AttackFixture : IDisposable
{
    public AttackFixture()
    {
        Context = LabContext.Create("cpu", 0, threads: 1);
        Data = TestSupport.Toy(train: 512, test: 128, size: 12, classes: 5);
        var (mean, std) = Trainer.ChannelStatistics(Data.Train);
        var spec = ModelZoo.Spec("cnn", [1, 12, 12], Data.ClassNames, mean, std,
            new Dictionary<string, double> { ["width"] = 16, ["hidden"] = 24 });
        var trainer = new Trainer(Context);
        Model = trainer.CreateModel(spec, 0);
        trainer.Train(Model, Data, new TrainingOptions { Epochs = 3, BatchSize = 64, Seed = 0 });
        Model.eval();
        X = Data.Test.Images.narrow(0, 0, 48).clone().DetachFromDisposeScope();
        Y = Data.Test.Labels.narrow(0, 0, 48).clone().DetachFromDisposeScope();
    }

    public LabContext Context { get; }
    public DataSplits Data { get; }
    public Classifier Model { get; }
    public Tensor X { get; }
    public Tensor Y { get; }

    public void Dispose()
    {
        X.Dispose();
        Y.Dispose();
        Model.Dispose();
        Data.Dispose();
    }
}
