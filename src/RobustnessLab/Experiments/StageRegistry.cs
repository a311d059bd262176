using RobustnessLab.Experiments.Config;

namespace RobustnessLab.Experiments;

/// <summary>
/// The stages a config may use, in the order they run (after the models are trained or loaded). Wiring a stage is one
/// line here plus one small <see cref="IExperimentStage"/> class.
/// </summary>
public sealed class StageRegistry
{
    private readonly List<StageDefinition> stages;

    public StageRegistry(IEnumerable<StageDefinition> stages)
    {
        this.stages = stages.ToList();
        var reserved = this.stages.FirstOrDefault(s => ExperimentConfig.RootKeys.Contains(s.Name));
        if (reserved is not null) throw new ArgumentException($"stage name '{reserved.Name}' is a reserved config key");
    }

    /// <summary>The lab's stages.</summary>
    public static StageRegistry Default { get; } = new(
    [
        new("eval", typeof(EvalSection), "clean accuracy of each model, overall and per class", () => new EvalStage()),
        new("attacks", typeof(IReadOnlyList<AttackSection>), "attacks over epsilon grids: success rates, robust accuracy, worst case, sanity flags", () => new AttacksStage()),
        new("figures", typeof(IReadOnlyList<FigureSection>), "panda-style panels: clean + eps x perturbation = adversarial", () => new FiguresStage()),
        new("fooling", typeof(FoolingSection), "fooling images (evolutionary and gradient) with their confidences and transfer", () => new FoolingStage()),
        new("visualize", typeof(VisualizeSection), "feature-visualisation sheets of classes and channels", () => new VisualizeStage()),
        new("dumbbell", typeof(DumbbellSection), "the dumbbell-with-arm experiment: biased beside debiased visualisations", () => new DumbbellStage()),
        new("paper", typeof(IReadOnlyList<PaperRow>), "published figures beside this run's values: a 'paper | lab | difference' table (runs last)", () => new PaperStage()),
    ]);

    public IReadOnlyList<StageDefinition> Stages => stages;

    public IEnumerable<string> Names => stages.Select(s => s.Name);

    public StageDefinition? Find(string name) => stages.FirstOrDefault(s => s.Name == name);

    /// <summary>A registry with one stage added or replaced (same name keeps its place).</summary>
    public StageRegistry With(StageDefinition stage)
    {
        var list = stages.ToList();
        int i = list.FindIndex(s => s.Name == stage.Name);
        if (i >= 0) list[i] = stage;
        else list.Add(stage);
        return new StageRegistry(list);
    }
}
