import CImageCodecs
import Foundation
import GenLabData
import GenLabTestSupport
import Glibc
import Testing

/// The decoded-dataset cache as `genlab run` uses it, in real processes: a run killed
/// (SIGKILL) while it decodes an image folder into the cache leaves no entry that a later run
/// reads, and the next run builds it; the two workers of a sweep decode the folder once.
@Suite(.serialized) struct DatasetCacheRunTests {
    /// An image folder of two classes of `perClass` RGB JPEGs of 320×240 (about a millisecond
    /// each to decode, so that a build of 1,200 lasts long enough to be killed in).
    static func photos(perClass: Int) throws -> String {
        let folder = try RunHarness.folder("photos")
        for (c, name) in ["a", "b"].enumerated() {
            try FileManager.default.createDirectory(atPath: "\(folder)/\(name)", withIntermediateDirectories: true)
            for k in 0..<perClass {
                let pixels = (0..<(320 * 240 * 3)).map { UInt8(truncatingIfNeeded: $0 / 7 &+ k &* 13 &+ c &* 101) }
                var message = [CChar](repeating: 0, count: 256)
                guard genlab_jpeg_encode("\(folder)/\(name)/\(k).jpg", pixels, 320, 240, 3, 90, &message, message.count) == 0 else {
                    throw DataError(.corrupt, String(cString: message), path: folder)
                }
            }
        }
        return folder
    }

    /// A tiny autoencoder on the folder at 64×64 (12 KB an image, so that the cache writes its
    /// buffer of 4 MiB out during the build); `sweep` adds a sweep section.
    static func experiment(folder: String, sweep: String = "") throws -> String {
        let file = try RunHarness.folder("cache-run") + "/cached.yaml"
        try """
        name: cached
        dataset: {name: image-folder, path: \(folder), image_size: 64, channels: 3}
        model:
          kind: ae
          latent: 2
          encoder: [flatten, {linear: {out: 8}}]
          decoder: mirror
        train: {steps: 2, batch_size: 4}
        \(sweep)
        """.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    static func genlab(_ arguments: [String], cache: String, output: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RunHarness.genlab)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["GENLAB_CACHE": cache]) { $1 }
        FileManager.default.createFile(atPath: output, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    @Test func aKilledBuildLeavesNoEntryAndTheNextRunBuildsIt() throws {
        let folder = try Self.photos(perClass: 600)
        let file = try Self.experiment(folder: folder)
        let cache = try RunHarness.folder("killed-cache"), results = try RunHarness.folder("killed-results")
        let entries = DecodedCache(folder: cache + "/datasets")
        let run = try Self.genlab(["run", file, "--jobs", "1", "--results", results], cache: cache, output: results + "/first.txt")
        // kill it once its temporary file has images in it
        let deadline = Date().addingTimeInterval(60)
        var building = false
        while !building, Date() < deadline, run.isRunning {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: cache + "/datasets")) ?? []
            building = names.contains { name in
                var status = stat()
                return name.hasSuffix(".tmp") && stat("\(cache)/datasets/\(name)", &status) == 0 && status.st_size > 0
            }
            Thread.sleep(forTimeInterval: 0.002)
        }
        #expect(building, "the build was seen")
        kill(run.processIdentifier, SIGKILL)
        run.waitUntilExit()
        #expect(entries.entries().isEmpty, "no entry after the kill")
        let next = try Self.genlab(["run", file, "--jobs", "1", "--results", results], cache: cache, output: results + "/second.txt")
        next.waitUntilExit()
        let said = (try? String(contentsOfFile: results + "/second.txt", encoding: .utf8)) ?? ""
        #expect(next.terminationStatus == 0 && said.contains("decoded image-folder once into the dataset cache"), "\(said)")
        #expect(entries.entries().count == 1 && entries.entries()[0].images == 1200)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache + "/datasets").filter { $0.hasSuffix(".tmp") }.isEmpty,
                "the killed build's temporary file is removed")
    }

    @Test func theWorkersOfASweepDecodeOnce() throws {
        let folder = try Self.photos(perClass: 40)
        let file = try Self.experiment(folder: folder, sweep: "sweep: {grid: {seed: [0, 1]}}")
        let cache = try RunHarness.folder("sweep-cache"), results = try RunHarness.folder("sweep-results")
        let sweep = try Self.genlab(["run", file, "--jobs", "2", "--results", results], cache: cache, output: results + "/sweep.txt")
        sweep.waitUntilExit()
        #expect(sweep.terminationStatus == 0, "\((try? String(contentsOfFile: results + "/sweep.txt", encoding: .utf8)) ?? "")")
        let logs = try FileManager.default.subpathsOfDirectory(atPath: results).filter { $0.hasSuffix("run.log") }
        let built = try logs.filter { try String(contentsOfFile: "\(results)/\($0)", encoding: .utf8).contains("decoded image-folder once") }
        #expect(logs.count == 2 && built.count == 1, "\(logs)")
        #expect(DecodedCache(folder: cache + "/datasets").entries().count == 1)
        // `genlab cache list` shows the entry and its folder, `clear` removes it
        let list = try Self.genlab(["cache", "list"], cache: cache, output: results + "/list.txt")
        list.waitUntilExit()
        let listed = try String(contentsOfFile: results + "/list.txt", encoding: .utf8)
        #expect(list.terminationStatus == 0 && listed.contains("80 images of 3×64×64") && listed.contains("from \(folder)"), "\(listed)")
        let clear = try Self.genlab(["cache", "clear"], cache: cache, output: results + "/clear.txt")
        clear.waitUntilExit()
        let cleared = try String(contentsOfFile: results + "/clear.txt", encoding: .utf8)
        #expect(clear.terminationStatus == 0 && cleared.hasPrefix("removed 1 decoded dataset(s)"), "\(cleared)")
        #expect(DecodedCache(folder: cache + "/datasets").entries().isEmpty)
    }
}
