using System.Diagnostics;
using RobustnessLab.Core;

namespace RobustnessLab.Tests.Core;

/// <summary>
/// build/NativeCompat.targets, the Debian 12 step that also travels in the RobustnessLab package (buildTransitive),
/// run by MSBuild on copies of TorchSharp's unpatched libLibTorchSharp.so against stand-in libstdc++ files: it
/// patches a copy that needs it (and not a hard-linked original), leaves it alone where libstdc++ has the version,
/// warns once for an unrecognised libstdc++, and fails the build with one line saying what to do when the output
/// cannot be written.
/// </summary>
[Platform("Linux")]
[NonParallelizable]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class NativeCompatTargetsTests
{
    private const string Version = "GLIBCXX_3.4.32";
    private string dir = null!;
    private (int Code, string Output) build;

    [OneTimeSetUp]
    public void RunTheTargetsOnFourCases()
    {
        var original = UnpatchedLibrary();
        Assume.That(original, Is.Not.Null, "TorchSharp's libLibTorchSharp.so is not in the NuGet cache");
        Assume.That(ElfVersionNeeds.IsWeak(original!, Version), Is.False, "the NuGet cache copy must be unpatched");
        dir = Path.Combine(Path.GetTempPath(), "robustnesslab-tests", "compat-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (var c in new[] { "needs", "has", "unknown", "readonly", "orig", "home" }) Directory.CreateDirectory(Path.Combine(dir, c));
        File.Copy(original!, Path.Combine(dir, "orig", "libLibTorchSharp.so"));
        // "needs": a hard link to the original, as MSBuild's CreateHardLinksForCopyLocalIfPossible makes into the cache.
        Ln(Path.Combine(dir, "orig", "libLibTorchSharp.so"), Path.Combine(dir, "needs", "libLibTorchSharp.so"));
        foreach (var c in new[] { "has", "unknown", "readonly" }) File.Copy(original!, Path.Combine(dir, c, "libLibTorchSharp.so"));
        File.WriteAllBytes(Path.Combine(dir, "gcc12.so"), "x\0GLIBCXX_3.4\0GLIBCXX_3.4.30\0"u8.ToArray());
        File.WriteAllBytes(Path.Combine(dir, "gcc13.so"), "x\0GLIBCXX_3.4\0GLIBCXX_3.4.32\0"u8.ToArray());
        File.WriteAllBytes(Path.Combine(dir, "other.so"), "not a GNU C++ runtime"u8.ToArray());
        File.Copy(Path.Combine(RepositoryRoot(), "build", "NativeCompat.targets"), Path.Combine(dir, "NativeCompat.targets"));
        File.WriteAllText(Path.Combine(dir, "compat.proj"), $"""
            <Project>
              <Import Project="{dir}/NativeCompat.targets" />
              <Target Name="Cases">
                <RobustnessLabWeakenGlibcxxRequirement Library="{dir}/needs/libLibTorchSharp.so" SystemLibStdCxx="{dir}/gcc12.so" VersionName="{Version}" />
                <RobustnessLabWeakenGlibcxxRequirement Library="{dir}/has/libLibTorchSharp.so" SystemLibStdCxx="{dir}/gcc13.so" VersionName="{Version}" />
                <RobustnessLabWeakenGlibcxxRequirement Library="{dir}/unknown/libLibTorchSharp.so" SystemLibStdCxx="{dir}/other.so" VersionName="{Version}" />
                <!-- last: its error stops the target -->
                <RobustnessLabWeakenGlibcxxRequirement Library="{dir}/readonly/libLibTorchSharp.so" SystemLibStdCxx="{dir}/gcc12.so" VersionName="{Version}" />
              </Target>
            </Project>
            """);

        // No write access: root writes anywhere, so as root the build runs as the user nobody on folders it owns,
        // except "readonly", which stays root's; as any other user "readonly" is made read-only.
        bool root = Environment.UserName == "root";
        var psi = new ProcessStartInfo(root ? "setpriv" : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (root)
        {
            foreach (var c in new[] { "needs", "has", "unknown", "home" }) Chown(Path.Combine(dir, c));
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
            foreach (var a in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "dotnet" }) psi.ArgumentList.Add(a);
            psi.Environment["HOME"] = Path.Combine(dir, "home");
            psi.Environment["DOTNET_CLI_HOME"] = Path.Combine(dir, "home");
        }
        else
        {
            File.SetUnixFileMode(Path.Combine(dir, "readonly"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }
        foreach (var a in new[] { "msbuild", Path.Combine(dir, "compat.proj"), "-t:Cases", "-nologo", "-v:m", "-nodeReuse:false" }) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        build = (p.ExitCode, output + err.Result);
        TestContext.Out.WriteLine(build.Output);
    }

    [OneTimeTearDown]
    public void Clean()
    {
        if (dir is not null && Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    [Test]
    public void ACopyThatNeedsTheFixIsPatchedButTheHardLinkedOriginalIsNot()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ElfVersionNeeds.IsWeak(Path.Combine(dir, "needs", "libLibTorchSharp.so"), Version), Is.True, build.Output);
            Assert.That(ElfVersionNeeds.IsWeak(Path.Combine(dir, "orig", "libLibTorchSharp.so"), Version), Is.False, "the original behind the hard link was written through");
            Assert.That(build.Output, Does.Contain($"RobustnessLab native compat: marked {Version} weak in {dir}/needs/libLibTorchSharp.so (system libstdc++ lacks it)."));
        }
    }

    [Test]
    public void ACopyIsLeftAloneWhereTheSystemLibStdCxxHasTheVersion()
    {
        Assert.That(ElfVersionNeeds.IsWeak(Path.Combine(dir, "has", "libLibTorchSharp.so"), Version), Is.False, build.Output);
        Assert.That(build.Output, Does.Not.Contain($"{dir}/has/"));
    }

    [Test]
    public void AnUnrecognisedLibStdCxxGetsOneWarningSayingWhatToDo()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ElfVersionNeeds.IsWeak(Path.Combine(dir, "unknown", "libLibTorchSharp.so"), Version), Is.True, "the harmless mark is applied as a precaution");
            Assert.That(build.Output, Does.Contain($"warning RL1002: RobustnessLab native compat: {dir}/other.so is not a GNU libstdc++ this step recognises")
                .And.Contain("Set RobustnessLabSystemLibStdCxx to the path of this machine's libstdc++.so.6"));
        }
    }

    [Test]
    public void AnOutputThatCannotBeWrittenFailsTheBuildWithOneLineSayingWhatToDo()
    {
        var errors = build.Output.Split('\n').Where(l => l.Contains("error RL1001", StringComparison.Ordinal)).Distinct().ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(errors, Has.Count.EqualTo(1), build.Output);
            Assert.That(errors.FirstOrDefault(), Does.Contain($"cannot write {dir}/readonly/libLibTorchSharp.so")
                .And.Contain("would fail to load at run time").And.Contain("Build into a folder you can write").And.Contain("RobustnessLabNativeCompat=false"));
            Assert.That(ElfVersionNeeds.IsWeak(Path.Combine(dir, "readonly", "libLibTorchSharp.so"), Version), Is.False);
            Assert.That(Directory.GetFiles(Path.Combine(dir, "readonly")), Has.Length.EqualTo(1), "no temporary file left behind");
            Assert.That(build.Code, Is.Not.EqualTo(0));
        }
    }

    private static string? UnpatchedLibrary()
    {
        var roots = new[] { Environment.GetEnvironmentVariable("NUGET_PACKAGES"), Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages") };
        return roots.Where(r => !string.IsNullOrEmpty(r))
            .Select(r => Path.Combine(r!, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so"))
            .FirstOrDefault(File.Exists);
    }

    private static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "build", "NativeCompat.targets"))) return d.FullName;
        throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

    private static void Ln(string target, string link) => Exec("ln", target, link);

    private static void Chown(string path) => Exec("chown", "-R", "65534:65534", path);

    private static void Exec(string program, params string[] args)
    {
        using var p = Process.Start(program, args);
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.EqualTo(0), $"{program} {string.Join(" ", args)}");
    }
}
