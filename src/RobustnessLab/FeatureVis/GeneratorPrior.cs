using System.Diagnostics;
using RobustnessLab.Core;
using RobustnessLab.Models;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace RobustnessLab.FeatureVis;

/// <summary>Settings of <see cref="GeneratorPrior.Train"/>; defaults defined once here.</summary>
public sealed record GeneratorPriorOptions
{
    /// <summary>Length of the code the decoder draws from.</summary>
    public int Latent { get; init; } = 128;

    /// <summary>Channels of the first convolution (doubled at each of the next two; the decoder mirrors them).</summary>
    public int Width { get; init; } = 32;

    public int Epochs { get; init; } = 20;

    public int BatchSize { get; init; } = 64;

    /// <summary>Adam learning rate (with "onecycle": the peak).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Learning-rate schedule over the training steps, one of <see cref="Training.TrainingOptions.Schedules"/>.</summary>
    public string Schedule { get; init; } = "constant";

    /// <summary>Standard deviation of the Gaussian noise added to the codes in training (the decoder must draw images from nearby codes too).</summary>
    public double CodeNoise { get; init; } = 0.1;

    /// <summary>
    /// Weight of an edge term in the training loss: the mean squared difference between the reconstruction's and the
    /// image's horizontal and vertical pixel differences, added to the pixel error. A plain pixel error lets the decoder
    /// blur edges it is unsure of; this term makes blurring an edge cost as much as misplacing it. 0 (the default) leaves it out.
    /// </summary>
    public double EdgeWeight { get; init; }

    /// <summary>Images held out of training to measure the reconstruction error on.</summary>
    public int HeldOut { get; init; } = 200;

    public void Validate(long images, long side)
    {
        if (Latent < 1) throw new LabException($"generator prior: latent must be positive, got {Latent}");
        if (Epochs < 1 || Width < 1) throw new LabException($"generator prior: epochs and width must be positive, got {Epochs} and {Width}");
        if (BatchSize < 1) throw new LabException($"generator prior: batch size must be positive, got {BatchSize}");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new LabException($"generator prior: learning rate must be positive and finite, got {LearningRate}");
        if (!Training.TrainingOptions.Schedules.Contains(Schedule)) throw new LabException($"generator prior: unknown schedule '{Schedule}'; valid: {string.Join(", ", Training.TrainingOptions.Schedules)}");
        if (!(EdgeWeight >= 0) || double.IsInfinity(EdgeWeight)) throw new LabException($"generator prior: edge weight must be >= 0 and finite, got {EdgeWeight}");
        if (!(CodeNoise >= 0)) throw new LabException($"generator prior: code noise must be >= 0, got {CodeNoise}");
        if (HeldOut < 1 || images - HeldOut < BatchSize) throw new LabException($"generator prior: {images} images cannot hold out {HeldOut} and still fill a batch of {BatchSize}");
        if (side < 8 || side % 8 != 0) throw new LabException($"generator prior: the image side must be a multiple of 8, got {side}");
    }
}

/// <summary>
/// An image prior for class visualisation in the manner of Nguyen, Dosovitskiy, Yosinski, Brox, Clune 2016
/// ("Synthesizing the preferred inputs for neurons in neural networks via deep generator networks", arXiv:1605.09304):
/// instead of optimising pixels, optimise the code of a generator, so every picture is one the generator can draw. Here
/// the generator is the decoder of a small convolutional autoencoder (three stride-2 convolutions each way) trained on
/// images the caller chooses. What the prior knows is what those images show; to ask what a classifier associates with a
/// class, train it on images in which that association is absent (the dumbbell experiment trains it on scenes where
/// arms hold every object equally often), so anything the pictures add comes from the classifier.
/// </summary>
public sealed class GeneratorPrior : IDisposable
{
    /// <summary>Files of a saved prior (see <see cref="Save"/>).</summary>
    public const string WeightsFile = "prior.safetensors", InfoFile = "prior.json";

    private const string Format = "robustnesslab.generator-prior/1";

    /// <summary>The "step" schedule's decay settings: the trainer's (<see cref="Training.TrainingOptions"/>).</summary>
    private static readonly Training.TrainingOptions StepDefaults = new();

    private readonly nn.Module<Tensor, Tensor> encoder, decoder, both;
    private readonly Tensor codeMean, codeSd;
    private readonly GeneratorPriorOptions options;

    private GeneratorPrior(nn.Module<Tensor, Tensor> encoder, nn.Module<Tensor, Tensor> decoder, Tensor codeMean, Tensor codeSd, int channels, int side,
        GeneratorPriorOptions options, double reconstructionError, double meanImageError, double seconds)
    {
        this.encoder = encoder;
        this.decoder = decoder;
        both = Both(encoder, decoder);
        this.codeMean = codeMean;
        this.codeSd = codeSd;
        this.options = options;
        Channels = channels;
        Side = side;
        ReconstructionError = reconstructionError;
        MeanImageError = meanImageError;
        Seconds = seconds;
    }

    public int Channels { get; }

    /// <summary>Side of the images it encodes and draws.</summary>
    public int Side { get; }

    /// <summary>Mean squared pixel error of reconstructing the held-out images.</summary>
    public double ReconstructionError { get; }

    /// <summary>Mean squared pixel error of drawing every held-out image as the training images' mean (what a prior that learnt nothing scores).</summary>
    public double MeanImageError { get; }

    public double Seconds { get; }

    /// <summary>Per-dimension mean and standard deviation of the training images' codes: the Gaussian the synthesis keeps codes near.</summary>
    public (Tensor Mean, Tensor Sd) CodeStatistics => (codeMean, codeSd);

    /// <summary>
    /// Trains the autoencoder on <paramref name="images"/> ([N, C, S, S] in [0, 1], S a multiple of 8), the last
    /// <see cref="GeneratorPriorOptions.HeldOut"/> held out, seeded by <paramref name="seed"/>.
    /// </summary>
    public static GeneratorPrior Train(Tensor images, GeneratorPriorOptions options, long seed, Action<double, string>? report = null, CancellationToken cancel = default)
    {
        if (images.dim() != 4 || images.shape[2] != images.shape[3]) throw new LabException($"generator prior: needs square images [N, C, S, S], got [{string.Join(", ", images.shape)}]");
        options.Validate(images.shape[0], images.shape[2]);
        var sw = Stopwatch.StartNew();
        int channels = (int)images.shape[1], side = (int)images.shape[2];
        long n = images.shape[0] - options.HeldOut;
        var device = images.device;
        using var generator = new Generator((ulong)seed, CPU);
        var (encoder, decoder) = Build(channels, side, options.Latent, options.Width, seed);
        encoder.to(device);
        decoder.to(device);
        using var train = images.narrow(0, 0, n).detach();
        using var held = images.narrow(0, n, options.HeldOut).detach();
        var parameters = encoder.parameters().Concat(decoder.parameters()).ToList();
        using var optimizer = optim.Adam(parameters, options.LearningRate);
        long batches = (n + options.BatchSize - 1) / options.BatchSize;
        encoder.train();
        decoder.train();
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            using var order = randperm(n, generator: generator).to(device);
            double sum = 0;
            for (long b = 0; b < batches; b++)
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var x = train.index_select(0, order.narrow(0, b * options.BatchSize, Math.Min(options.BatchSize, n - b * options.BatchSize)));
                var code = encoder.call(x);
                if (options.CodeNoise > 0) code = code + randn(code.shape, generator: generator).to(device) * options.CodeNoise;
                var drawn = decoder.call(code);
                var loss = nn.functional.mse_loss(drawn, x);
                if (options.EdgeWeight > 0) loss = loss + options.EdgeWeight * EdgeError(drawn, x);
                foreach (var g in optimizer.ParamGroups) g.LearningRate = Training.LearningRateSchedule.At(options.Schedule, options.LearningRate, options.Epochs, (epoch - 1) * batches + b, (int)batches, StepDefaults.Gamma, StepDefaults.StepEpochs);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                sum += loss.item<float>();
                report?.Invoke(((epoch - 1) * batches + b + 1) / (double)(options.Epochs * batches), $"generator prior: epoch {epoch}/{options.Epochs} mse {sum / (b + 1):F4}");
            }
        }
        encoder.eval();
        decoder.eval();
        foreach (var p in parameters) p.requires_grad = false; // synthesis differentiates through the decoder, never into it
        using var statistics = NewDisposeScope();
        using var none = no_grad();
        var codes = encoder.call(train.narrow(0, 0, Math.Min(n, 4096)));
        var mean = codes.mean(new long[] { 0 }).MoveToOuterDisposeScope();
        var sd = (codes.std(0) + 1e-3).MoveToOuterDisposeScope();
        double error = nn.functional.mse_loss(decoder.call(encoder.call(held)), held).item<float>();
        double meanImageError = nn.functional.mse_loss(train.mean(new long[] { 0 }, keepdim: true).expand_as(held), held).item<float>();
        return new GeneratorPrior(encoder, decoder, mean, sd, channels, side, options, error, meanImageError, sw.Elapsed.TotalSeconds);
    }

    /// <summary>What <see cref="Save"/> writes beside the weights: the shape to rebuild, the code statistics, the figures, and the caller's recipe.</summary>
    private sealed record SavedInfo(string Format, string Recipe, int Channels, int Side, int Latent, int Width, float[] CodeMean, float[] CodeSd,
        double ReconstructionError, double MeanImageError, double Seconds, string WeightsSha256);

    /// <summary>
    /// Writes the prior to <paramref name="dir"/> (<see cref="WeightsFile"/> and <see cref="InfoFile"/>), with
    /// <paramref name="recipe"/>: the caller's description of what it was trained on, which <see cref="Load"/> must be given again.
    /// </summary>
    public void Save(string dir, string recipe)
    {
        Directory.CreateDirectory(dir);
        // The old description goes first, so a save stopped between the two files leaves weights with no description
        // (Load finds no prior and it trains again) rather than a pair that disagrees.
        File.Delete(Path.Combine(dir, InfoFile));
        var weights = Path.Combine(dir, WeightsFile);
        AtomicFile.WriteVia(weights, path => both.save_safetensors(path));
        var info = new SavedInfo(Format, recipe, Channels, Side, options.Latent, options.Width, Floats(codeMean), Floats(codeSd),
            ReconstructionError, MeanImageError, Seconds, Checkpoint.Sha256(weights));
        Json.WriteFile(Path.Combine(dir, InfoFile), info);

        static float[] Floats(Tensor t) => t.cpu().data<float>().ToArray();
    }

    /// <summary>
    /// The prior saved in <paramref name="dir"/> by <see cref="Save"/> with the same <paramref name="recipe"/>, or null when
    /// there is none or it was trained by another recipe. A folder whose files do not agree (weights changed after saving,
    /// a malformed <see cref="InfoFile"/>) is refused with the reason.
    /// </summary>
    public static GeneratorPrior? Load(string dir, string recipe, Device device)
    {
        var infoPath = Path.Combine(dir, InfoFile);
        var weights = Path.Combine(dir, WeightsFile);
        if (!File.Exists(infoPath) || !File.Exists(weights)) return null;
        var info = Json.ReadFile<SavedInfo>(infoPath);
        if (info.Format != Format) throw new LabException($"{infoPath}: unknown generator prior format '{info.Format}'");
        if (info.Recipe != recipe) return null;
        if (Checkpoint.Sha256(weights) != info.WeightsSha256)
            throw new LabException($"{weights}: its SHA-256 does not match weights_sha256 in {InfoFile}: the weights changed after they were saved; delete the folder to train the prior again");
        if (info.Channels < 1 || info.Latent < 1 || info.Width < 1 || info.Side < 8 || info.Side % 8 != 0 || info.CodeMean?.Length != info.Latent || info.CodeSd?.Length != info.Latent)
            throw new LabException($"{infoPath}: channels, side, latent, width and the code statistics do not describe a prior (code_mean and code_sd need {info.Latent} values each)");
        NativeRuntime.EnsureLoaded();
        var (encoder, decoder) = Build(info.Channels, info.Side, info.Latent, info.Width, null);
        var prior = new GeneratorPrior(encoder, decoder, tensor(info.CodeMean!).to(device), tensor(info.CodeSd!).to(device), info.Channels, info.Side,
            new GeneratorPriorOptions { Latent = info.Latent, Width = info.Width }, info.ReconstructionError, info.MeanImageError, info.Seconds);
        try { prior.both.load_safetensors(weights, strict: true); }
        catch (Exception e)
        {
            prior.Dispose();
            throw new LabException($"{weights}: does not hold a generator prior of latent {info.Latent} and width {info.Width}: {e.Message}", e);
        }
        prior.both.to(device);
        prior.both.eval();
        foreach (var p in prior.both.parameters()) p.requires_grad = false;
        return prior;
    }

    /// <summary>The encoder and decoder as one module, whose state dict is what <see cref="Save"/> writes.</summary>
    private static nn.Module<Tensor, Tensor> Both(nn.Module<Tensor, Tensor> encoder, nn.Module<Tensor, Tensor> decoder) =>
        nn.Sequential(("encoder", encoder), ("decoder", decoder));

    /// <summary>Mean squared difference between two batches' horizontal and vertical neighbour differences.</summary>
    private static Tensor EdgeError(Tensor a, Tensor b)
    {
        long s = a.shape[3];
        Tensor Dx(Tensor t) => t.narrow(3, 1, s - 1) - t.narrow(3, 0, s - 1);
        Tensor Dy(Tensor t) => t.narrow(2, 1, s - 1) - t.narrow(2, 0, s - 1);
        return nn.functional.mse_loss(Dx(a), Dx(b)) + nn.functional.mse_loss(Dy(a), Dy(b));
    }

    /// <summary>Codes of images ([N, C, S, S] in [0, 1]).</summary>
    public Tensor Encode(Tensor images)
    {
        using var none = no_grad();
        return encoder.call(images.to(codeMean.device)).detach();
    }

    /// <summary>The prior's drawing of each image ([N, C, S, S] in [0, 1]): the decoded code of its code, no gradients.</summary>
    public Tensor Reconstruct(Tensor images)
    {
        using var none = no_grad();
        return decoder.call(encoder.call(images.to(codeMean.device))).clamp(0, 1).detach();
    }

    /// <summary>
    /// Per image, the mean squared pixel difference between <paramref name="images"/> ([N, C, S, S]) and the prior's
    /// drawing of them (decoded code); differentiable in the images, through both terms.
    /// </summary>
    public Tensor Residual(Tensor images) => (decoder.call(encoder.call(images)) - images).square().mean(new long[] { 1, 2, 3 });

    /// <summary>Images ([N, C, S, S] in [0, 1]) drawn from codes; differentiable in the codes.</summary>
    public Tensor Decode(Tensor codes) => decoder.call(codes);

    /// <param name="seed">Seeds the initial weights (null: the weights are about to be loaded, and the global generator is left alone).</param>
    private static (nn.Module<Tensor, Tensor> Encoder, nn.Module<Tensor, Tensor> Decoder) Build(int channels, int side, int latent, int w, long? seed)
    {
        if (seed is { } s0) torch.manual_seed(s0);
        int s = side / 8;
        var encoder = nn.Sequential(
            nn.Conv2d(channels, w, 4, stride: 2, padding: 1), nn.ReLU(),
            nn.Conv2d(w, 2 * w, 4, stride: 2, padding: 1), nn.ReLU(),
            nn.Conv2d(2 * w, 4 * w, 4, stride: 2, padding: 1), nn.ReLU(),
            nn.Flatten(), nn.Linear(4 * w * s * s, latent));
        var decoder = nn.Sequential(
            nn.Linear(latent, 4 * w * s * s), nn.ReLU(), nn.Unflatten(1, new long[] { 4 * w, s, s }),
            nn.ConvTranspose2d(4 * w, 2 * w, 4, stride: 2, padding: 1), nn.ReLU(),
            nn.ConvTranspose2d(2 * w, w, 4, stride: 2, padding: 1), nn.ReLU(),
            nn.ConvTranspose2d(w, channels, 4, stride: 2, padding: 1), nn.Sigmoid());
        return (encoder, decoder);
    }

    public void Dispose()
    {
        both.Dispose();
        encoder.Dispose();
        decoder.Dispose();
        codeMean.Dispose();
        codeSd.Dispose();
    }
}
