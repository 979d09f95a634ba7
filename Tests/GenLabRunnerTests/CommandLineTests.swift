import Foundation
import GenLabStore
import GenLabTestSupport
import Testing

/// The command line from outside: options that do not make sense are refused, output that
/// cannot be written is an error, and `plan` shows the run ids `run --point` takes.
@Suite struct CommandLineTests {
    static let file = RunHarness.experimentFile("homework-mlp-vae")

    @Test(arguments: [
        (["--stop-after", "0"], "--stop-after must be at least 1"),
        (["--stop-after=-1"], "--stop-after must be at least 1"),
        (["--results", ""], "--results must name a folder"),
        (["--steps", "0"], "--steps must be at least 1"),
        (["--set", "model..beta=1"], "has an empty part"),
        (["--retry-failed", "--overwrite"], "not both"),
        (["--jobs", "0"], "--jobs must be between 1 and 1024"),
        (["--threads", "0"], "--threads must be between 1 and 1024"),
        (["--precision", "fp16"], "Please provide one of 'fp32', 'bf16' or 'auto'"),
        (["--set", "sweep.grid.bogus=[0]"], "--set key 'bogus' does not exist in the experiment"),
        (["--set", "sweep.bogus=1"], "unknown key 'bogus'"),
        (["--set", "sweep.grid.model.beta=[]"], "is empty"),
        (["--where", "model.bta=1"], "'model.bta' is not a swept key: the swept keys are model.beta, train.epochs"),
        (["--where", "model.beta=3"], "no point of the sweep has model.beta=3; its values are"),
        (["--steps", "9223372036854775807"], "'train.steps' must be at most 1000000000000"),
    ])
    func badOptionsAreRefused(_ options: [String], _ message: String) throws {
        let result = try Repository.run(RunHarness.genlab, ["run", CommandLineTests.file] + options)
        #expect(result.status != 0)
        #expect(result.output.contains(message), "\(result.output)")
    }

    /// `bench`'s options out of range are refused before anything runs: a duration that is
    /// not a number or never ends, threads or warm-up steps past what a machine could use.
    @Test(arguments: [
        (["--seconds", "nan"], "--seconds must be positive and at most 86400"),
        (["--seconds", "inf"], "--seconds must be positive and at most 86400"),
        (["--seconds", "1e9"], "--seconds must be positive and at most 86400"),
        (["--seconds=-1"], "--seconds must be positive and at most 86400"),
        (["--threads", "100000"], "--threads must be between 1 and 1024"),
        (["--threads", "0"], "--threads must be between 1 and 1024"),
        (["--warmup", "100000000000"], "--warmup must be between 0 and 10000 steps"),
        (["--checkpoints", "100001"], "--checkpoints must be between 0 and 100000"),
    ])
    func badBenchOptionsAreRefused(_ options: [String], _ message: String) throws {
        let result = try Repository.run(RunHarness.genlab, ["bench", "--experiments", CommandLineTests.file] + options)
        #expect(result.status == 64)
        #expect(result.output.contains(message) && !result.output.contains("images/s"), "\(result.output)")
    }

    /// Every command's failures reach the top of `genlab` and are printed there once, as
    /// "file:place: message", with exit status 1 and nothing on standard output.
    @Test(arguments: [
        (["inspect", "/nonexistent/run.h5"], "/nonexistent/run.h5: no such file"),
        (["analyze", "/nonexistent/run.h5"], "/nonexistent/run.h5: no such run file"),
        (["plan", "/nonexistent.yaml"], "/nonexistent.yaml:1:1: cannot open the file"),
        (["run", "/nonexistent.yaml"], "/nonexistent.yaml:1:1: cannot open the file"),
        (["run", CommandLineTests.file, "--point", "nope"], CommandLineTests.file + ": no point with run id 'nope'"),
        (["status", "/nonexistent.yaml"], "/nonexistent.yaml:1:1: cannot open the file"),
        (["worker", "/nonexistent/sweep-0.json", "0"], "/nonexistent/sweep-0.json: cannot read the sweep's definition: no such file"),
        (["worker", RunHarness.experimentFile("quickstart"), "0"], RunHarness.experimentFile("quickstart") + ": not a GenLab sweep definition"),
        (["status", "/", "--steps", "3"], "/: --set, --epochs and --steps apply to an experiment file"),
    ])
    func failuresArePrintedOnceAtTheTop(_ arguments: [String], _ line: String) throws {
        let result = try Repository.run("sh", ["-c", "'\(RunHarness.genlab)' \(arguments.map { "'\($0)'" }.joined(separator: " ")) 2>&1 >/dev/null"])
        #expect(result.status == 1)
        let lines = result.output.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix(line), "\(result.output)")
    }

    /// `genlab plan … > /dev/full` fails instead of exiting 0 with its output lost.
    @Test func lostOutputIsAnError() throws {
        let result = try Repository.run("sh", ["-c", "'\(RunHarness.genlab)' plan '\(CommandLineTests.file)' > /dev/full"])
        #expect(result.status == 1)
        #expect(result.output.contains("cannot write the output"), "\(result.output)")
    }

    /// `plan` with --set and --steps lists the ids that `run --point` with the same options
    /// accepts; the point trains alone.
    @Test func planShowsTheIdsRunUses() throws {
        let options = ["--steps", "2", "--set", "dataset.subset=64", "--set", "train.batch_size=32"]
        let plan = try Repository.run(RunHarness.genlab, ["plan", CommandLineTests.file] + options)
        #expect(plan.status == 0, "\(plan.output)")
        let ids = plan.output.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            return line.hasPrefix("  ") && fields.count >= 2 && fields[0].contains("-") ? String(fields[0]) : nil
        }
        #expect(ids.count == 3, "\(plan.output)")
        let id = try #require(ids.dropFirst().first)
        let results = try RunHarness.folder("point")
        let run = try Repository.run(RunHarness.genlab, ["run", CommandLineTests.file, "--point", id, "--results", results, "--quiet"] + options)
        #expect(run.status == 0, "\(run.output)")
        // the point's folder, and the sweep's definition (all three points)
        let trained = try FileManager.default.contentsOfDirectory(atPath: "\(results)/homework-mlp-vae").sorted()
        #expect(trained.count == 2 && trained[0] == id && trained[1].hasPrefix("sweep-"), "\(trained)")
        #expect(try RunFile.read(path: "\(results)/homework-mlp-vae/\(id)/run.h5").metadata.status == .completed)
    }
}
