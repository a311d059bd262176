namespace RobustnessLab.Experiments;

using RobustnessLab.Experiments.Config;

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

    /// <summary>The lab's stages. Those of libraries still on other branches validate but do not run yet.</summary>
    public static StageRegistry Default { get; } = new(
    [
        new("eval", typeof(EvalSection), "clean accuracy of each model, overall and per class", () => new EvalStage()),
        new("attacks", typeof(IReadOnlyList<AttackSection>), "attacks over epsilon grids: success rates, robust accuracy, worst case, sanity flags",
            null, "it runs the attacks and robustness evaluation library (issue 3), which is not merged into this build yet"),
        new("figures", typeof(IReadOnlyList<FigureSection>), "panda-style panels: clean + eps x perturbation = adversarial",
            null, "its panels come from the attacks library (issue 3), which is not merged into this build yet"),
        new("fooling", typeof(FoolingSection), "fooling images (evolutionary and gradient) with their confidences and transfer",
            null, "it runs the fooling-images library (issue 4), which is not merged into this build yet"),
        new("visualize", typeof(VisualizeSection), "feature-visualisation sheets of classes and channels",
            null, "it runs the feature-visualisation library (issue 5), which is not merged into this build yet"),
        new("dumbbell", typeof(DumbbellSection), "the dumbbell-with-arm experiment: biased beside debiased visualisations",
            null, "it runs the feature-visualisation library and its scene dataset (issue 5), which are not merged into this build yet"),
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
