using System.Text;
using System.Text.Json.Nodes;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Experiments;
using RobustnessLab.Models;

namespace RobustnessLab.Tests.Reliability;

/// <summary>
/// Random mutations (fixed seed) of a valid config, a valid checkpoint's safetensors header and a valid IDX file, fed to
/// the shared readers. Every case must end in success or a <see cref="LabException"/> (one clear line), within
/// <see cref="CaseTimeout"/> and allocating less than <see cref="AllocationBound"/> on its thread: never another
/// exception type, a hang or a runaway allocation.
/// </summary>
public class FuzzTests
{
    public const int Cases = 300;
    public static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(5);
    public const long AllocationBound = 256L << 20;

    private const string Config = """
        name: fuzz
        seed: 3
        threads: 1
        dataset:
          name: fashion-mnist
          options: {train_limit: 600, validation_size: 100, test_limit: 200}
        models:
          standard: &m {architecture: cnn, epochs: 2, args: {width: 16, hidden: 32}}
          other: *m
        eval: {}
        attacks:
          - attack: fgsm
            eps: [0, 0.05, 0.1]
            samples: 100
          - {attack: pgd, eps: [0.1], steps: 10, options: {step_size: 0.25}}
        figures:
          - {model: standard, attack: fgsm, eps: 0.1, samples: 3}
        fooling: {method: evolutionary, encoding: direct, generations: 20, population: 20}
        sweep:
          seed: [0, 1]

        """;

    private const string YamlAlphabet = "[]{}:,&*-!|>'\"\n #.0123456789eE+-~abcnul\t?%@`";

    private sealed record Outcome(int Ok, int Refused, List<string> Failures);

    /// <summary>Runs every case on its own thread with a timeout and an allocation count.</summary>
    private static Outcome RunCases(string what, int count, Func<int, Action> makeCase)
    {
        int ok = 0, refused = 0;
        var failures = new List<string>();
        for (int i = 0; i < count; i++)
        {
            var action = makeCase(i);
            Exception? error = null;
            long allocated = 0;
            var thread = new Thread(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try { action(); }
                catch (Exception e) { error = e; }
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }, 16 << 20)
            { IsBackground = true };
            thread.Start();
            if (!thread.Join(CaseTimeout)) { failures.Add($"{what} case {i}: no answer within {CaseTimeout.TotalSeconds} s"); continue; }
            if (allocated > AllocationBound) failures.Add($"{what} case {i}: allocated {allocated:N0} bytes");
            if (error is null) ok++;
            else if (error is LabException) refused++;
            else failures.Add($"{what} case {i}: {error.GetType().Name}: {error.Message} {error.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}");
        }
        TestContext.Out.WriteLine($"{what}: {count} cases, {ok} accepted, {refused} refused with a LabException, {failures.Count} failures");
        return new Outcome(ok, refused, failures);
    }

    private static string MutateText(string text, Random rng)
    {
        var sb = new StringBuilder(text);
        int edits = 1 + rng.Next(4);
        for (int e = 0; e < edits; e++)
        {
            int at = rng.Next(sb.Length + 1);
            switch (rng.Next(6))
            {
                case 0: if (at < sb.Length) sb[at] = YamlAlphabet[rng.Next(YamlAlphabet.Length)]; break;
                case 1: sb.Insert(at, YamlAlphabet[rng.Next(YamlAlphabet.Length)]); break;
                case 2: if (at < sb.Length) sb.Remove(at, Math.Min(sb.Length - at, 1 + rng.Next(20))); break;
                case 3: // duplicate a span somewhere else
                {
                    int from = rng.Next(sb.Length), len = Math.Min(sb.Length - from, 1 + rng.Next(40));
                    sb.Insert(at, sb.ToString(from, len));
                    break;
                }
                case 4: sb.Insert(at, rng.Next(3) switch { 0 => "-1", 1 => "1e400", _ => "99999999999" }); break;
                default: // deep or aliased structure
                    sb.Insert(at, rng.Next(2) == 0 ? new string('[', 1 + rng.Next(200)) : "*m ");
                    break;
            }
        }
        return sb.ToString();
    }

    [Test]
    public void MutatedConfigsGiveAClearErrorOrAConfig()
    {
        var rng = new Random(20261129);
        var texts = Enumerable.Range(0, Cases).Select(_ => MutateText(Config, rng)).ToList();
        var outcome = RunCases("config", Cases, i => () => ExperimentLoader.Parse(texts[i], "fuzz.yaml"));
        Assert.That(outcome.Failures, Is.Empty);
        Assert.That(outcome.Refused, Is.GreaterThan(Cases / 4), "the mutations reach the error paths");
        Assert.That(ExperimentLoader.Parse(Config, "fuzz.yaml").Points, Has.Count.EqualTo(2), "the unmutated config is valid");
    }

    [Test]
    public void MutatedSafetensorsHeadersGiveAClearErrorOrTheRightModel()
    {
        NativeRuntime.EnsureLoaded();
        var root = TestSupport.TempDir("fuzz-st");
        var spec = ModelZoo.Spec("mlp", [1, 6, 6], ["a", "b", "c"], [0.5f], [0.25f], new Dictionary<string, double> { ["hidden"] = 8, ["layers"] = 1 });
        var valid = Path.Combine(root, "valid");
        using (var model = ModelZoo.Create(spec)) Checkpoint.Save(valid, model, CheckpointInfo.FromSpec(spec));
        var bytes = File.ReadAllBytes(Path.Combine(valid, Checkpoint.WeightsFile));
        int headerLength = (int)BitConverter.ToInt64(bytes, 0);
        // Without the hash the loader itself must refuse what is wrong (the hash would catch every change first).
        var info = JsonNode.Parse(File.ReadAllText(Path.Combine(valid, Checkpoint.InfoFile)))!.AsObject();
        info.Remove("weights_sha256");

        var rng = new Random(1129);
        var outcome = RunCases("safetensors", Cases, i =>
        {
            var mutated = (byte[])bytes.Clone();
            int edits = 1 + rng.Next(3);
            for (int e = 0; e < edits; e++)
            {
                int at = rng.Next(8 + headerLength);
                mutated[at] = rng.Next(3) switch
                {
                    0 => (byte)"0123456789-,[]{}\"FI"[rng.Next(19)],
                    1 => (byte)(mutated[at] ^ (1 << rng.Next(8))),
                    _ => (byte)rng.Next(256),
                };
            }
            if (rng.Next(10) == 0) mutated = mutated[..rng.Next(mutated.Length)];
            var dir = Path.Combine(root, $"case{i}");
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, Checkpoint.WeightsFile), mutated);
            File.WriteAllText(Path.Combine(dir, Checkpoint.InfoFile), info.ToJsonString());
            return () =>
            {
                var (model, _) = Checkpoint.Load(dir);
                model.Dispose();
            };
        });
        Assert.That(outcome.Failures, Is.Empty);
        Assert.That(outcome.Refused, Is.GreaterThan(Cases / 2));
    }

    [Test]
    public void MutatedIdxFilesGiveAClearErrorOrTheirData()
    {
        var data = new byte[10 * 28 * 28];
        new Random(5).NextBytes(data);
        var valid = IdxFile.Encode([10, 28, 28], data);
        var rng = new Random(2911);
        var outcome = RunCases("idx", Cases, i =>
        {
            var mutated = (byte[])valid.Clone();
            int edits = 1 + rng.Next(3);
            for (int e = 0; e < edits; e++)
            {
                int at = rng.Next(16);
                mutated[at] = rng.Next(2) == 0 ? (byte)rng.Next(256) : (byte)(mutated[at] ^ (1 << rng.Next(8)));
            }
            int cut = rng.Next(4);
            if (cut == 0) mutated = mutated[..rng.Next(mutated.Length)];
            else if (cut == 1) mutated = [.. mutated, .. new byte[rng.Next(1, 100)]];
            int rank = rng.Next(2) == 0 ? 3 : 1;
            return () => IdxFile.Parse(mutated, $"case{i}", rank);
        });
        Assert.That(outcome.Failures, Is.Empty);
        Assert.That(outcome.Refused, Is.GreaterThan(Cases / 2));
    }
}
