import Foundation
import GenLabTestSupport
import Testing

/// A results folder others can write to: links planted at the names GenLab writes are
/// replaced or refused, never written through; links, FIFOs and run files of other points
/// planted at the names GenLab reads are reported, never followed, waited on or shown as
/// this point; every command ends (each is started under `timeout 60`, 124 when it hangs).
@Suite(.serialized) struct HostileResultsFolderTests {
    /// Two points of a small MLP autoencoder, four steps each, with samples and one analysis.
    static let experiment = RunHarness.tinyAutoencoder("hostile", subset: 512, steps: 4, lossesEvery: 1, rest: """
          samples: {every: 2, count: 4}
        sweep:
          grid:
            seed: [0, 1]
        analysis:
          samples: {count: 4}

        """)

    /// The experiment file, its results folder and the two run ids (from `genlab plan`).
    static func drill() throws -> (file: String, results: String, ids: [String]) {
        let folder = try TestFolder.make("hostile")
        let file = folder.appendingPathComponent("hostile.yaml").path
        try experiment.write(toFile: file, atomically: true, encoding: .utf8)
        let plan = try Repository.run(RunHarness.genlab, ["plan", file])
        let ids = plan.output.split(separator: "\n").filter { $0.hasPrefix("  seed=") }.map { String($0.split(separator: " ")[0]) }
        #expect(ids.count == 2, "\(plan.output)")
        return (file, folder.appendingPathComponent("results").path, ids)
    }

    /// `genlab arguments…`, ended after 60 s (status 124) if it hangs.
    static func genlab(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try Repository.run("timeout", ["60", RunHarness.genlab] + arguments)
    }

    /// A file outside the results that a planted link points to, and its contents.
    static func victim() throws -> (path: String, contents: String) {
        let path = try TestFolder.make("victim").appendingPathComponent("precious.txt").path
        let contents = "precious \(UUID())\n"
        try contents.write(toFile: path, atomically: false, encoding: .utf8)
        return (path, contents)
    }

    /// Links planted at every name a point's training, analysis, sweep and report write (the
    /// run file, its old temporary name, the lock, the log, the failure note, the analysis
    /// picture, the sweep's definition, the report page): the victim is never written, and
    /// the run either trains (the link replaced by GenLab's own file) or refuses the lock
    /// with a message naming it.
    @Test func plantedLinksAreNeverWrittenThrough() throws {
        let (file, results, ids) = try HostileResultsFolderTests.drill()
        let (victim, contents) = try HostileResultsFolderTests.victim()
        let point = "\(results)/hostile/\(ids[0])"
        try FileManager.default.createDirectory(atPath: "\(point)/analysis", withIntermediateDirectories: true)
        for name in ["run.h5.tmp", "run.log", "analysis/samples.png", "analysis/samples.png.tmp"] {
            try FileManager.default.createSymbolicLink(atPath: "\(point)/\(name)", withDestinationPath: victim)
        }
        let run = try HostileResultsFolderTests.genlab(["run", file, "--results", results, "--jobs", "1", "--quiet"])
        #expect(run.status == 0, "\(run.output)")
        // the sweep's definition and the report page as links: a rerun and a report replace them
        let manifests = try FileManager.default.contentsOfDirectory(atPath: "\(results)/hostile").filter { $0.hasPrefix("sweep-") }
        #expect(manifests.count == 1)
        for manifest in manifests {
            try FileManager.default.removeItem(atPath: "\(results)/hostile/\(manifest)")
            try FileManager.default.createSymbolicLink(atPath: "\(results)/hostile/\(manifest)", withDestinationPath: victim)
        }
        try FileManager.default.createDirectory(atPath: "\(results)/hostile/report", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: "\(results)/hostile/report/index.html", withDestinationPath: victim)
        let rerun = try HostileResultsFolderTests.genlab(["run", file, "--results", results, "--jobs", "1", "--quiet"])
        #expect(rerun.status == 0, "\(rerun.output)")
        let report = try HostileResultsFolderTests.genlab(["report", "\(results)/hostile"])
        #expect(report.status == 0, "\(report.output)")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == contents)
        // GenLab's own files replaced the links
        for name in ["analysis/samples.png", "../\(manifests.first ?? "")"] where FileManager.default.fileExists(atPath: "\(point)/\(name)") {
            let type = try FileManager.default.attributesOfItem(atPath: "\(point)/\(name)")[.type] as? FileAttributeType
            #expect(type == .typeRegular, "\(name)")
        }
        let page = try String(contentsOfFile: "\(results)/hostile/report/index.html", encoding: .utf8)
        #expect(page.contains("<!doctype html>"))

        // a lock planted as a link: the point is refused, naming the lock, and nothing is written through it
        let other = "\(results)/hostile/\(ids[1])"
        try FileManager.default.removeItem(atPath: other)
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: "\(other)/run.lock", withDestinationPath: victim)
        let locked = try HostileResultsFolderTests.genlab(["run", file, "--results", results, "--point", ids[1], "--quiet"])
        #expect(locked.status == 1, "\(locked.output)")
        #expect(locked.output.contains("\(other)/run.lock") && locked.output.contains("symbolic link"), "\(locked.output)")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == contents)
    }

    /// Things planted where GenLab reads: an analysis picture linked to a private file is left
    /// out of the report; a FIFO as the run file, as the failure note, as the sweep's
    /// definition, and a history that is an external link to a FIFO are reported without
    /// waiting; a point folder holding another point's run file is not shown as that point.
    @Test func plantedReadsAreNeitherFollowedNorWaitedOn() throws {
        let (file, results, ids) = try HostileResultsFolderTests.drill()
        let run = try HostileResultsFolderTests.genlab(["run", file, "--results", results, "--jobs", "1", "--quiet"])
        #expect(run.status == 0, "\(run.output)")
        let folder = "\(results)/hostile"
        let (first, second) = ("\(folder)/\(ids[0])", "\(folder)/\(ids[1])")

        // a picture linked to a private file
        let secret = "SECRET-\(UUID())"
        let (victim, _) = try HostileResultsFolderTests.victim()
        try secret.write(toFile: victim, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: "\(first)/analysis/private.png", withDestinationPath: victim)
        let report = try HostileResultsFolderTests.genlab(["report", folder])
        #expect(report.status == 0, "\(report.output)")
        let page = try String(contentsOfFile: "\(folder)/report/index.html", encoding: .utf8)
        #expect(!page.contains(Data(secret.utf8).base64EncodedString()) && !page.contains("private.png"))

        // the second point's folder holds a copy of the first point's run file
        try FileManager.default.removeItem(atPath: "\(second)/run.h5")
        try FileManager.default.copyItem(atPath: "\(first)/run.h5", toPath: "\(second)/run.h5")
        let status = try HostileResultsFolderTests.genlab(["status", folder])
        #expect(status.output.contains("the run file of point \(ids[0]), not of \(ids[1])"), "\(status.output)")

        // an external link from the history to a FIFO beside the run file
        try FileManager.default.removeItem(atPath: "\(second)/run.h5")
        #expect(mkfifo("\(second)/fifo.h5", 0o644) == 0)
        try FileManager.default.copyItem(atPath: "\(first)/run.h5", toPath: "\(second)/run.h5")
        let python = try Repository.run("python3", ["-c", """
            import h5py, sys
            with h5py.File(sys.argv[1], "r+") as f:
                f.attrs["run_id"] = sys.argv[2]
                del f["history"]
                f["history"] = h5py.ExternalLink("fifo.h5", "/history")
            """, "\(second)/run.h5", ids[1]])
        #expect(python.status == 0, "\(python.output)")
        for arguments in [["status", folder], ["compare", folder], ["report", folder]] {
            let result = try HostileResultsFolderTests.genlab(arguments)
            #expect(result.status != 124, "\(arguments[0]) hung on the FIFO")
        }
        let linked = try HostileResultsFolderTests.genlab(["inspect", "\(second)/run.h5"])
        #expect(linked.status == 1 && linked.output.contains("\(second)/run.h5"), "\(linked.output)")

        // FIFOs as the run file, the failure note and a sweep's definition
        try FileManager.default.removeItem(atPath: "\(second)/run.h5")
        #expect(mkfifo("\(second)/run.h5", 0o644) == 0)
        #expect(mkfifo("\(second)/run.failed", 0o644) == 0)
        let fifoStatus = try HostileResultsFolderTests.genlab(["status", folder])
        #expect(fifoStatus.status != 124, "status hung on a FIFO")
        #expect(fifoStatus.output.contains(ids[1]), "\(fifoStatus.output)")
        let inspect = try HostileResultsFolderTests.genlab(["inspect", "\(second)/run.h5"])
        #expect(inspect.status == 1 && inspect.output.contains("FIFO"), "\(inspect.output)")
        #expect(mkfifo("\(folder)/sweep-ffffffff.json", 0o644) == 0)
        let manifest = try HostileResultsFolderTests.genlab(["status", folder])
        #expect(manifest.status == 1 && manifest.output.contains("sweep-ffffffff.json") && manifest.output.contains("FIFO"), "\(manifest.output)")
    }

    /// Two `genlab run` of one experiment at once, each on its own point (both write the
    /// sweep's definition), both train their point; two runs of the same point at once: each
    /// either trains it or says on standard error, with `--quiet`, why it did not.
    @Test func concurrentRunsEachDoTheirPartOrSaySo() throws {
        let (file, results, ids) = try HostileResultsFolderTests.drill()
        for round in 0..<3 {
            let outputs = try (0..<2).map { try TestFolder.make("output-\(round)-\($0)").appendingPathComponent("out").path }
            let both = try Repository.run("sh", ["-c", """
                '\(RunHarness.genlab)' run '\(file)' --results '\(results)-\(round)' --point \(ids[0]) --quiet >'\(outputs[0])' 2>&1 & a=$!
                '\(RunHarness.genlab)' run '\(file)' --results '\(results)-\(round)' --point \(ids[1]) --quiet >'\(outputs[1])' 2>&1 & b=$!
                wait $a; echo $?; wait $b; echo $?
                """])
            let texts = outputs.map { (try? String(contentsOfFile: $0, encoding: .utf8)) ?? "" }
            #expect(both.output == "0\n0\n", "\(both.output) \(texts)")
            let same = try Repository.run("sh", ["-c", """
                '\(RunHarness.genlab)' run '\(file)' --results '\(results)-same-\(round)' --point \(ids[0]) --quiet --overwrite >'\(outputs[0])' 2>&1 & a=$!
                '\(RunHarness.genlab)' run '\(file)' --results '\(results)-same-\(round)' --point \(ids[0]) --quiet --overwrite >'\(outputs[1])' 2>&1 & b=$!
                wait $a; echo $?; wait $b; echo $?
                """])
            let statuses = same.output.split(separator: "\n").map { Int32($0) ?? -1 }
            #expect(statuses.count == 2 && statuses.contains(0), "\(same.output)")
            for (status, output) in zip(statuses, outputs) where status != 0 {
                let text = try String(contentsOfFile: output, encoding: .utf8)
                #expect(status == 1 && text.contains("another genlab process"), "exit \(status): '\(text)'")
            }
        }
    }

    /// A message that cannot be written (`2>/dev/full`) is lost, but genlab still exits 1
    /// instead of crashing on it.
    @Test func anUnwritableStandardErrorIsNoCrash() throws {
        let result = try Repository.run("sh", ["-c", "'\(RunHarness.genlab)' inspect /nonexistent/run.h5 2>/dev/full; echo $?"])
        #expect(result.output == "1\n", "\(result.output)")
    }
}
