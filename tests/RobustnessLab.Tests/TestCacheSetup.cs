using RobustnessLab.Models;

namespace RobustnessLab.Tests;

/// <summary>
/// The input-gradient check caches its answers per machine; the tests use a fresh cache folder so that a run neither
/// depends on nor writes to the user's ~/.cache.
/// </summary>
[SetUpFixture]
public sealed class TestCacheSetup
{
    private string? dir;

    [OneTimeSetUp]
    public void UseFreshCache()
    {
        dir = TestSupport.TempDir("cache");
        Environment.SetEnvironmentVariable(InputGradientCheck.CacheVariable, dir);
    }

    [OneTimeTearDown]
    public void Remove()
    {
        if (dir is not null && Directory.Exists(dir)) Directory.Delete(dir, true);
    }
}
