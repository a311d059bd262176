using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.Core;

public class NativeRuntimeTests
{
    [Test]
    public void TensorOperationAndAutogradWorkInsideTheTestHost()
    {
        NativeRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        var b = a.mm(a);
        var x = tensor(new float[] { 1f, -2f, 3f }).requires_grad_(true);
        var y = (x * x).sum();
        var g = autograd.grad([y], [x])[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(b.data<float>().ToArray(), Is.EqualTo(new float[] { 7, 10, 15, 22 }));
            Assert.That(g.data<float>().ToArray(), Is.EqualTo(new float[] { 2f, -4f, 6f }));
        }
    }

    [Test]
    public void CompatStepIsAppliedExactlyWhereTheSystemNeedsIt()
    {
        var applied = NativeRuntime.CompatStepApplied();
        if (NativeRuntime.SystemNeedsCompatStep())
            Assert.That(applied, Is.True, "system libstdc++ lacks GLIBCXX_3.4.32, so the build must mark it weak in the output copy");
        else
            Assert.That(applied, Is.Not.True.Or.Null, "the library must be left alone where the system has GLIBCXX_3.4.32");
    }

    [Test]
    public void TheLibTorchVersionTheToolLooksForInTheNuGetCacheIsTheOneTorchSharpWasBuiltAgainst()
    {
        NativeRuntime.EnsureLoaded();
        Assert.That(NativeRuntime.LibTorchVersion, Does.StartWith(NativeRuntime.LibTorchPackageVersion));
        Assert.That(NativeRuntime.NativeSource, Has.Property("FromNuGetCache").False.And.Property("Error").Null,
            "the test host has libtorch next to it: the NuGet cache is only the tool's fallback");
    }

    [Test]
    public void DerivedSeedsAreStableAndDistinct()
    {
        ulong first = LabContext.DeriveSeed(1, 2), again = LabContext.DeriveSeed(1, 2);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(again, Is.EqualTo(first));
            Assert.That(LabContext.DeriveSeed(1, 2), Is.Not.EqualTo(LabContext.DeriveSeed(1, 3)));
            Assert.That(LabContext.DeriveSeed(1, 2), Is.Not.EqualTo(LabContext.DeriveSeed(2, 2)));
        }
    }

    [Test]
    public void UnknownDeviceIsRejectedClearly()
    {
        Assert.That(() => LabContext.ParseDevice("tpu"), Throws.TypeOf<LabException>().With.Message.Contains("unknown device"));
    }

    [Test]
    [Platform("Linux")]
    public void AllocatorIsTunedAndNnpackIsOffOnLinux()
    {
        LabContext.Create("cpu", 0, threads: 1);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(NativeAllocator.EnsureTuned(), Is.True, "glibc mallopt settings not applied: every step pays page faults (5x slower here)");
            Assert.That(NativeRuntime.NnpackDisabled, Is.True, "libtorch's NNPACK flag is still on: it logs a warning per convolution on this CPU");
        }
    }
}
