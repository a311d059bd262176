using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NUnit.Framework;

namespace RobustnessLab.Tests.Experiments;

/// <summary>
/// A one-node Slurm from Debian's packages (slurm-wlm 22.05, munge), started for a test in a private folder: its own
/// munge key and socket, its own slurm.conf on free ports, state and logs; munged runs as the user munge, slurmctld
/// and slurmd in the foreground as root. Commands (sbatch, squeue, scancel) find it through SLURM_CONF.
/// Dispose cancels every job and stops the three daemons it started, by process id.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class SlurmCluster : IDisposable
{
    private static readonly string[] Programs = ["munged", "mungekey", "slurmctld", "slurmd", "sbatch", "squeue", "scancel", "sinfo", "setpriv"];
    private readonly List<Process> daemons = [];

    public string Directory { get; }
    public string ConfigPath { get; }

    private SlurmCluster(string dir)
    {
        Directory = dir;
        ConfigPath = Path.Combine(dir, "slurm.conf");
    }

    /// <summary>Ignores the test, with the reason, where Slurm and munge are not installed or cannot be started.</summary>
    public static void RequireInstalled()
    {
        var missing = Programs.Where(p => Which(p) is null).ToList();
        if (missing.Count > 0)
            Assert.Ignore($"Slurm is not installed here (missing {string.Join(", ", missing)}): apt-get install slurm-wlm munge (.ci/run installs them)");
        if (Environment.UserName != "root")
            Assert.Ignore("a one-node Slurm needs root (slurmd runs jobs as their users); run the test as root, as CI does");
    }

    public static SlurmCluster Start(string dir)
    {
        var cluster = new SlurmCluster(dir);
        try
        {
            cluster.StartDaemons();
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    private void StartDaemons()
    {
        string mungeDir = Path.Combine(Directory, "munge"), keyDir = Path.Combine(Directory, "munge-key"), logs = Path.Combine(Directory, "logs");
        foreach (var d in new[] { mungeDir, keyDir, logs, Path.Combine(Directory, "state"), Path.Combine(Directory, "spool") })
            System.IO.Directory.CreateDirectory(d);
        // munged insists: key readable by munge only; socket folder searchable by everyone.
        File.SetUnixFileMode(keyDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var key = Path.Combine(keyDir, "munge.key");
        MustRun("mungekey", "--create", "--keyfile=" + key);
        MustRun("chown", "-R", "munge:munge", mungeDir, keyDir);
        var socket = Path.Combine(mungeDir, "munge.socket");
        // setpriv executes munged in place, so the process id we hold is munged's.
        StartDaemon("munged", Path.Combine(logs, "munged.out"), Which("setpriv")!, "--reuid=munge", "--regid=munge", "--init-groups", Which("munged")!, "--foreground",
            "--key-file=" + key, "--socket=" + socket, "--log-file=" + Path.Combine(mungeDir, "munged.log"),
            "--pid-file=" + Path.Combine(mungeDir, "munged.pid"), "--seed-file=" + Path.Combine(mungeDir, "munged.seed"));
        WaitFor(() => File.Exists(socket), TimeSpan.FromSeconds(20), "munged did not create its socket", "munged.out");

        var node = Environment.MachineName.Split('.')[0];
        int ctldPort = FreePort(), slurmdPort = FreePort();
        File.WriteAllText(ConfigPath, $"""
            ClusterName=rltest
            SlurmctldHost={node}(127.0.0.1)
            SlurmctldPort={ctldPort}
            SlurmdPort={slurmdPort}
            AuthType=auth/munge
            CredType=cred/munge
            AuthInfo=socket={socket}
            SlurmUser=root
            SlurmdUser=root
            StateSaveLocation={Path.Combine(Directory, "state")}
            SlurmdSpoolDir={Path.Combine(Directory, "spool")}
            SlurmctldPidFile={Path.Combine(Directory, "slurmctld.pid")}
            SlurmdPidFile={Path.Combine(Directory, "slurmd.pid")}
            SlurmctldLogFile={Path.Combine(logs, "slurmctld.log")}
            SlurmdLogFile={Path.Combine(logs, "slurmd.log")}
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_CPU
            SchedulerType=sched/backfill
            MpiDefault=none
            ReturnToService=2
            AccountingStorageType=accounting_storage/none
            JobCompType=jobcomp/none
            JobAcctGatherType=jobacct_gather/none
            KillWait=20
            NodeName={node} NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
            PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP

            """);
        StartDaemon("slurmctld", Path.Combine(logs, "slurmctld.out"), Which("slurmctld")!, "-D", "-f", ConfigPath);
        StartDaemon("slurmd", Path.Combine(logs, "slurmd.out"), Which("slurmd")!, "-D", "-f", ConfigPath);
        WaitFor(() => Command("sinfo", "-h", "-o", "%T").Out.Trim() == "idle", TimeSpan.FromSeconds(60), "the node did not become idle", "slurmctld.log");
    }

    /// <summary>Runs a program with SLURM_CONF pointing at this cluster.</summary>
    public (int Code, string Out, string Err) Command(string program, params string[] args) => Exec(program, Directory, args);

    public (int Code, string Out, string Err) CommandIn(string workingDirectory, string program, params string[] args) => Exec(program, workingDirectory, args);

    /// <summary>Job ids and states still in the queue (array tasks as JOB_TASK).</summary>
    public IReadOnlyList<(string Id, string State)> Queue() =>
        Command("squeue", "-h", "-r", "-o", "%i %T").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', 2)).Select(p => (p[0], p.Length > 1 ? p[1] : "")).ToList();

    /// <summary>Waits until none of these jobs (or their array tasks) is queued.</summary>
    public void WaitForJobs(TimeSpan timeout, params string[] jobs)
    {
        bool Mine(string id) => jobs.Any(j => id == j || id.StartsWith(j + "_", StringComparison.Ordinal));
        WaitFor(() => !Queue().Any(q => Mine(q.Id)), timeout,
            "jobs still queued: " + string.Join(", ", Queue().Where(q => Mine(q.Id)).Select(q => $"{q.Id} {q.State}")), "slurmctld.log");
    }

    /// <summary>Cancels every job and waits for the queue to empty (between tests: a failed one leaves none behind).</summary>
    public void CancelAll()
    {
        Command("scancel", "--full", "--user=root");
        var sw = Stopwatch.StartNew();
        while (Queue().Count > 0 && sw.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(200);
    }

    public void WaitFor(Func<bool> condition, TimeSpan timeout, string what, string? log = null)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > timeout)
                Assert.Fail($"{what} within {timeout.TotalSeconds:F0} s" + (log is null ? "" : $"; {log}:\n{Tail(Path.Combine(Directory, "logs", log))}"));
            Thread.Sleep(100);
        }
    }

    public void Dispose()
    {
        if (File.Exists(ConfigPath) && daemons.Count == 3)
        {
            // Jobs first: slurmstepd processes outlive slurmd.
            CancelAll();
        }
        foreach (var p in Enumerable.Reverse(daemons))
        {
            if (!p.HasExited)
            {
                Exec("kill", Directory, "-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (!p.WaitForExit(TimeSpan.FromSeconds(15))) p.Kill();
                p.WaitForExit();
            }
            p.Dispose();
        }
        daemons.Clear();
    }

    private void StartDaemon(string name, string output, string program, params string[] args)
    {
        // bash execs the daemon after redirecting its output: the id we keep is the daemon's own.
        var psi = new ProcessStartInfo("bash") { UseShellExecute = false, WorkingDirectory = Directory };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec \"$@\" >\"$0\" 2>&1");
        psi.ArgumentList.Add(output);
        psi.ArgumentList.Add(program);
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + name);
        daemons.Add(p);
        Thread.Sleep(200);
        if (p.HasExited) Assert.Fail($"{name} exited at once ({p.ExitCode}):\n{Tail(output)}");
    }

    private (int Code, string Out, string Err) Exec(string program, string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["SLURM_CONF"] = ConfigPath;
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, err.Result);
    }

    private void MustRun(string program, params string[] args)
    {
        var r = Exec(program, Directory, args);
        if (r.Code != 0) Assert.Fail($"{program} {string.Join(" ", args)} failed ({r.Code}): {r.Err}");
    }

    private static string Tail(string path) =>
        File.Exists(path) ? string.Join('\n', File.ReadAllLines(path).TakeLast(15)) : "(no " + path + ")";

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static string? Which(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/sbin", "/usr/bin"])
            .Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
}
