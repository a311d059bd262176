namespace RobustnessLab.Fooling;

/// <summary>Result of <see cref="FoolingBenchmark.DirectEncoding"/>.</summary>
public sealed record FoolingBenchmarkResult(int Generations, int Population, double Seconds, double ImagesPerSecond, int ClassesAt9999, int Classes);
