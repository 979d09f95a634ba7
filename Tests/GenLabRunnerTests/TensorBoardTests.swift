import CImageCodecs
import Foundation
import GenLabResults
import GenLabStore
import GenLabTensorBoard
import GenLabTestSupport
import Glibc
import Testing

/// TensorBoard event files, read back by TensorBoard itself (its `EventAccumulator`, through
/// Tests/Scripts/tensorboard_events.py): written live by a sweep's workers, equal to the run
/// files; resumed and killed points; problems with the folder; `export tensorboard`.
@Suite struct TensorBoardTests {
    /// What TensorBoard's reader finds in one run folder.
    struct Events: Decodable {
        struct Image: Decodable {
            let tag: String, step: Int, width: Int, height: Int, png: String
        }
        struct Text: Decodable {
            let tag: String, step: Int, text: String
        }
        struct Value: Decodable, Equatable {
            var number: Double?, string: String?, bool: Bool?
        }
        struct Experiment: Decodable {
            let keys: [String: [Double]], metrics: [String]
        }
        struct HParams: Decodable {
            let start: [String: Value]?, end: Int?, experiment: Experiment?
        }
        /// "tag step float32-bits", in tag then step order.
        let scalars: [String]
        let images: [Image]
        let texts: [Text]
        let hparams: HParams
    }

    /// The events of `folder` as TensorBoard reads them, or nil when the tensorboard package
    /// is missing.
    static func read(_ folder: String) throws -> Events? {
        let script = Repository.root.appendingPathComponent("Tests/Scripts/tensorboard_events.py").path
        let run = try Repository.run("python3", [script, folder])
        #expect(run.status == 0, "\(run.output)")
        if run.output.contains("\"missing\"") { return nil }
        return try JSONDecoder().decode(Events.self, from: Data(run.output.utf8))
    }

    /// The scalars a run file's history makes, as `Events.scalars` lists them (NaN left out).
    static func scalars(_ history: HistoryRows) -> [String] {
        history.columns.keys.sorted().flatMap { tag in
            zip(history.steps, history.columns[tag]!).filter { !$0.1.isNaN }.map { "\(tag) \($0.0) \($0.1.bitPattern)" }
        }
    }

    static let skipped = "skipped: the tensorboard Python package is not installed (scripts/setup.sh installs it)"

    /// A two-point β sweep of a small VAE: validation, reconstructions every 4 steps, the
    /// `metrics` analysis.
    static func sweepFile(_ results: String, steps: Int = 12, rest: String = "") throws -> String {
        let file = "\(results)/tiny.yaml"
        try """
            name: tiny
            seed: 0
            dataset: {name: fashion-mnist, subset: 256}
            model:
              kind: vae
              latent: 4
              encoder: [flatten, {linear: {out: 32}}, relu]
              decoder: mirror
              output: sigmoid
              likelihood: bce
            train:
              steps: \(steps)
              batch_size: 64
              optimizer: {adam: {lr: 0.01}}
            record:
              losses_every: 2
              validation: {every: 6, count: 64}
              samples: {every: 4, count: 10}
              checkpoint: {every: 2}
            \(rest)
            sweep:
              grid: {model.beta: [0.5, 2]}
            analysis:
              metrics: {count: 64, importance_samples: 2}

            """.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// The point folders of the sweep in `results`, in name order.
    static func points(_ results: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "\(results)/tiny").filter { $0.hasPrefix("beta=") }.sorted().map { "\(results)/tiny/\($0)" }
    }

    /// Pixel (x, y) of a decoded PNG, channel 0.
    static func pixel(_ image: genlab_image, _ x: Int, _ y: Int) -> UInt8 {
        image.pixels[(y * Int(image.width) + x) * Int(image.channels)]
    }

    /// The reconstruction grids TensorBoard read equal the run file's samples, each under its
    /// holdout image, 8 a row.
    static func expectGrids(_ events: Events, _ contents: RunContents, originals: StoredArray, folder: String) throws {
        #expect(events.images.map(\.step) == contents.samples.map(\.step) && events.images.allSatisfy { $0.tag == "reconstructions" })
        for (image, sample) in zip(events.images, contents.samples) {
            let png = "\(folder)/check-\(image.step).png"
            try #require(Data(base64Encoded: image.png)).write(to: URL(fileURLWithPath: png))
            var decoded = genlab_image()
            var message = [CChar](repeating: 0, count: 256)
            try #require(genlab_image_decode(png, &decoded, &message, message.count) == 0, "\(String(cString: message))")
            defer { genlab_image_free(&decoded) }
            let (n, h, w) = (sample.images.shape[0], sample.images.shape[2], sample.images.shape[3])
            #expect(Int(decoded.width) == image.width && image.width == 8 * (w + 2) + 2 && image.height == 4 * (h + 2) + 2)
            let recon = try #require(sample.images.floats), holdout = try #require(originals.floats)
            var mismatches = 0
            for k in 0..<n {
                let (pair, column) = (k / 8, k % 8)
                for y in 0..<h {
                    for x in 0..<w {
                        let left = column * (w + 2) + 2 + x, top = pair * 2 * (h + 2) + 2 + y
                        let byte = { (v: Float) in UInt8(max(0, min(255, v * 255 + 0.5))) }
                        if pixel(decoded, left, top) != byte(holdout[(k * h + y) * w + x]) { mismatches += 1 }
                        if pixel(decoded, left, top + h + 2) != byte(recon[(k * h + y) * w + x]) { mismatches += 1 }
                    }
                }
            }
            #expect(mismatches == 0, "step \(image.step): \(mismatches) pixels differ from the run file")
        }
    }

    /// A sweep trained by worker processes: each point's events, as TensorBoard reads them,
    /// equal its run file (every history value at its step, each sample grid, the
    /// configuration), and the HParams records give its swept value, the sweep's domain, the
    /// metrics and a successful end; `export tensorboard` then writes the same events.
    @Test func aSweepIsReadByTensorBoardEqualToItsRunFiles() throws {
        let results = try RunHarness.folder("tensorboard-sweep")
        let file = try TensorBoardTests.sweepFile(results)
        let trained = try Repository.run(RunHarness.genlab, ["run", file, "--results", results, "--jobs", "2"])
        #expect(trained.status == 0, "\(trained.output)")
        let points = try TensorBoardTests.points(results)
        #expect(points.count == 2)
        var live: [String: Events] = [:]
        for point in points {
            let contents = try RunFile.read(path: "\(point)/run.h5")
            guard let events = try TensorBoardTests.read("\(point)/tensorboard") else { print(TensorBoardTests.skipped); return }
            live[point] = events
            let history = TensorBoardTests.scalars(contents.history)
            #expect(history.contains { $0.hasPrefix("validation.total 6 ") } && !history.contains { $0.hasPrefix("validation.total 4 ") })
            #expect(events.scalars.filter { !$0.hasPrefix("metrics/") } == history)
            let last = try #require(contents.history.steps.last)
            let best = try #require(contents.history.columns["validation.total"]?.filter(\.isFinite).min())
            #expect(events.scalars.contains("metrics/best.validation.total \(last) \(best.bitPattern)"))
            #expect(events.scalars.contains { $0.hasPrefix("metrics/metrics.elbo \(last) ") })
            let originals = try #require(try RunFile.readSampleInput(path: "\(point)/run.h5", name: "images"))
            try TensorBoardTests.expectGrids(events, contents, originals: originals, folder: results)
            #expect(events.texts.count == 1 && events.texts[0].tag == "config" && events.texts[0].step == 0)
            #expect(events.texts.first?.text.split(separator: "\n").map { $0.dropFirst(4) } == contents.metadata.configYAML.split(separator: "\n").map { $0[...] })
            let beta = point.contains("beta=0.5") ? 0.5 : 2
            #expect(events.hparams.start == ["model.beta": Events.Value(number: beta)])
            #expect(events.hparams.end == 1)
            #expect(events.hparams.experiment?.keys == ["model.beta": [0.5, 2]])
            let metrics = events.hparams.experiment?.metrics ?? []
            #expect(metrics.contains("validation.total") && metrics.contains("metrics/best.total") && metrics.contains("metrics/metrics.elbo"), "\(metrics)")
        }

        // the same from the run files afterwards
        for point in points { try FileManager.default.removeItem(atPath: "\(point)/tensorboard") }
        let exported = try Repository.run(RunHarness.genlab, ["export", "tensorboard", "\(results)/tiny"])
        #expect(exported.status == 0 && exported.output.contains("3 images"), "\(exported.output)")
        for point in points {
            let again = try #require(try TensorBoardTests.read("\(point)/tensorboard"))
            let before = try #require(live[point])
            #expect(again.scalars == before.scalars && again.images.map(\.png) == before.images.map(\.png))
            #expect(again.texts.map(\.text) == before.texts.map(\.text) && again.hparams.start == before.hparams.start)
            #expect(again.hparams.experiment?.metrics == before.hparams.experiment?.metrics && again.hparams.end == 1)
        }
    }

    /// The byte offsets where the records of an event file end.
    static func recordEnds(_ path: String) throws -> [Int] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var ends: [Int] = [], at = 0
        while at + 12 <= bytes.count {
            let length = bytes[at..<at + 8].reversed().reduce(0) { $0 << 8 | Int($1) }
            at += 16 + length
            if at <= bytes.count { ends.append(at) }
        }
        return ends
    }

    /// A point resumed after a kill: TensorBoard sees each step once, equal to the final run
    /// file. First the case a kill can leave between the run file's commit and its events (the
    /// commit's events cut off: the resumed point writes them first), then SIGKILL at a
    /// random moment of a longer run.
    @Test func aKilledPointResumesWithOneValuePerStep() throws {
        let results = try RunHarness.folder("tensorboard-resume")
        let file = try TensorBoardTests.sweepFile(results, steps: 40)
        let stopped = try Repository.run(RunHarness.genlab, ["run", file, "--results", results, "--jobs", "1", "--stop-after", "16"])
        #expect(stopped.status == 130, "\(stopped.output)")
        let point = try #require(try TensorBoardTests.points(results).first)
        let first = try #require(EventFolder(path: "\(point)/tensorboard").files.first)
        // the events of steps 14 and 16 lost, their rows in the run file
        let ends = try TensorBoardTests.recordEnds(first)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: first))
        try handle.truncate(atOffset: UInt64(ends[ends.count - 3] + 5))
        try handle.close()
        guard let cut = try TensorBoardTests.read("\(point)/tensorboard") else { print(TensorBoardTests.skipped); return }
        #expect(!cut.scalars.contains { $0.hasPrefix("total 14 ") } && cut.scalars.contains { $0.hasPrefix("total 12 ") })
        #expect(EventFolder(path: "\(point)/tensorboard").lastStep == 12)
        let resumed = try Repository.run(RunHarness.genlab, ["run", file, "--results", results, "--jobs", "1"])
        #expect(resumed.status == 0, "\(resumed.output)")
        for point in try TensorBoardTests.points(results) {
            let contents = try RunFile.read(path: "\(point)/run.h5")
            let events = try #require(try TensorBoardTests.read("\(point)/tensorboard"))
            #expect(events.scalars.filter { !$0.hasPrefix("metrics/") } == TensorBoardTests.scalars(contents.history))
            #expect(events.images.map(\.step) == contents.samples.map(\.step) && events.texts.count == 1)
            #expect(EventFolder(path: "\(point)/tensorboard").files.count == 2)
        }

        // SIGKILL while the sweep trains, then a rerun
        let killed = try RunHarness.folder("tensorboard-kill")
        let long = try TensorBoardTests.sweepFile(killed, steps: 400)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RunHarness.genlab)
        process.arguments = ["run", long, "--results", killed, "--jobs", "1", "--quiet"]
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, (try? TensorBoardTests.points(killed).first.flatMap { EventFolder(path: "\($0)/tensorboard").lastStep }) ?? nil == nil {
            Thread.sleep(forTimeInterval: 0.01)
        }
        Thread.sleep(forTimeInterval: Double.random(in: 0...0.5))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let rerun = try Repository.run(RunHarness.genlab, ["run", long, "--results", killed, "--jobs", "1"])
        #expect(rerun.status == 0, "\(rerun.output)")
        for point in try TensorBoardTests.points(killed) {
            let contents = try RunFile.read(path: "\(point)/run.h5")
            let events = try #require(try TensorBoardTests.read("\(point)/tensorboard"))
            #expect(events.scalars.filter { !$0.hasPrefix("metrics/") } == TensorBoardTests.scalars(contents.history))
            #expect(events.images.map(\.step) == contents.samples.map(\.step) && events.texts.count == 1)
        }
    }

    /// A `tensorboard` that is a file, and a full disk under the folder: the points train and
    /// commit to the end; the problem is printed once, naming the path. `record.tensorboard:
    /// false` writes nothing (and `export` writes the events later).
    @Test func eventFileProblemsStopOnlyTheEvents() throws {
        let results = try RunHarness.folder("tensorboard-problems")
        let file = try TensorBoardTests.sweepFile(results, steps: 24)
        let started = try Repository.run(RunHarness.genlab, ["run", file, "--results", results, "--jobs", "1", "--stop-after", "2"])
        #expect(started.status == 130, "\(started.output)")
        let points = try TensorBoardTests.points(results)
        try FileManager.default.removeItem(atPath: "\(points[0])/tensorboard")
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: "\(points[0])/tensorboard"))
        try FileManager.default.removeItem(atPath: "\(points[1])/tensorboard")
        try FileManager.default.createDirectory(atPath: "\(points[1])/tensorboard", withIntermediateDirectories: false)
        let mounted = try Repository.run("mount", ["-t", "tmpfs", "-o", "size=8k", "tmpfs", "\(points[1])/tensorboard"])
        defer { if mounted.status == 0 { _ = try? Repository.run("umount", ["\(points[1])/tensorboard"]) } }
        let finished = try Repository.run(RunHarness.genlab, ["run", file, "--results", results, "--jobs", "1"])
        #expect(finished.status == 0, "\(finished.output)")
        for point in points { #expect(try RunFile.read(path: "\(point)/run.h5").metadata.status == .completed) }
        let notes = finished.output.split(separator: "\n").filter { $0.contains("TensorBoard:") }
        let log0 = try String(contentsOfFile: "\(points[0])/run.log", encoding: .utf8)
        #expect(log0.components(separatedBy: "TensorBoard:").count == 2 && log0.contains("\(points[0])/tensorboard"), "\(log0)")
        if mounted.status == 0 {
            let log1 = try String(contentsOfFile: "\(points[1])/run.log", encoding: .utf8)
            #expect(log1.components(separatedBy: "TensorBoard:").count == 2 && log1.contains("No space left on device")
                    && log1.contains("\(points[1])/tensorboard/events.out.tfevents."), "\(log1)")
            // what fitted is read up to its last whole record
            if let events = try TensorBoardTests.read("\(points[1])/tensorboard") { #expect(events.texts.count == 1 && !events.scalars.isEmpty) }
        } else {
            print("the full-disk half skipped: cannot mount a tmpfs here (\(mounted.output))")
        }
        #expect(notes.count <= 2, "\(finished.output)")

        // record.tensorboard: false
        let off = try RunHarness.folder("tensorboard-off")
        let offFile = try TensorBoardTests.sweepFile(off, rest: "  tensorboard: false")
        let quiet = try Repository.run(RunHarness.genlab, ["run", offFile, "--results", off, "--jobs", "1"])
        #expect(quiet.status == 0, "\(quiet.output)")
        for point in try TensorBoardTests.points(off) { #expect(!FileManager.default.fileExists(atPath: "\(point)/tensorboard")) }
    }

    /// `export tensorboard` on a run without events; a file cut inside its last record reads up
    /// to the record before; exporting again leaves the run alone; a `tensorboard/` planted as
    /// a link is refused, nothing written through it.
    @Test func exportWritesWhatTheRunFileHolds() throws {
        let results = try RunHarness.folder("tensorboard-export")
        let file = "\(results)/tiny.yaml"
        try RunHarness.tinyAutoencoder("tiny", subset: 256, steps: 12, lossesEvery: 2, rest: "  validation: {every: 6, count: 64}\n  tensorboard: false\n")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let trained = try Repository.run(RunHarness.genlab, ["run", file, "--results", results])
        #expect(trained.status == 0, "\(trained.output)")
        let runFile = try #require(TensorBoardExport.runFiles(in: results).first)
        let folder = ((runFile as NSString).deletingLastPathComponent as NSString).appendingPathComponent("tensorboard")
        #expect(!FileManager.default.fileExists(atPath: folder))
        let exported = try Repository.run(RunHarness.genlab, ["export", "tensorboard", results])
        #expect(exported.status == 0 && exported.output.contains("scalars"), "\(exported.output)")
        let history = try RunFile.read(path: runFile).history
        guard let read = try TensorBoardTests.read(folder) else { print(TensorBoardTests.skipped); return }
        #expect(read.scalars.filter { !$0.hasPrefix("metrics/") } == TensorBoardTests.scalars(history))
        // a run outside a sweep: no HParams records
        #expect(read.hparams.start == nil && read.hparams.experiment == nil)

        let again = try Repository.run(RunHarness.genlab, ["export", "tensorboard", results])
        #expect(again.status == 0 && again.output.contains("skipped: ") && again.output.contains("already holds event files"), "\(again.output)")

        let event = try #require(EventFolder(path: folder).files.first)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: event))
        try handle.truncate(atOffset: try handle.seekToEnd() - 5)
        try handle.close()
        let cut = try #require(try TensorBoardTests.read(folder))
        #expect(cut.scalars.count < read.scalars.count && !cut.scalars.isEmpty && Set(cut.scalars).isSubset(of: Set(read.scalars)))

        let elsewhere = try RunHarness.folder("tensorboard-elsewhere")
        try FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createSymbolicLink(atPath: folder, withDestinationPath: elsewhere)
        let planted = try Repository.run(RunHarness.genlab, ["export", "tensorboard", results])
        #expect(planted.status == 1 && planted.output.contains("symbolic link"), "\(planted.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty)
    }

    /// A TCP port nobody listens on now (bound to port 0, read back, closed).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The body of an HTTP request to the local TensorBoard, a JSON POST when `post` is
    /// given (Python's urllib: nil when it does not answer 200).
    static func fetch(_ url: String, post: String? = nil) -> String? {
        let script = """
            import sys, urllib.request
            data = sys.argv[2].encode() if len(sys.argv) > 2 else None
            request = urllib.request.Request(sys.argv[1], data=data, headers={"Content-Type": "application/json"})
            try:
                print(urllib.request.urlopen(request, timeout=10).read().decode(), end="")
            except Exception as e:
                sys.exit(1)
            """
        guard let run = try? Repository.run("python3", ["-c", script, url] + (post.map { [$0] } ?? [])), run.status == 0 else { return nil }
        return run.output
    }

    static let tensorboardInstalled = (try? Repository.run("python3", ["-c", "import tensorboard"]))?.status == 0

    /// A real TensorBoard on the sweep's folder, and a real browser on it: the HParams plugin's
    /// data lists every point with its swept value and metrics; the rendered Time Series and
    /// HParams pages name both points and draw charts; the screenshots are not blank.
    @Test(.enabled(if: CompareReportTests.browser != nil && tensorboardInstalled,
                   "needs chromium and the tensorboard package (scripts/setup.sh --tests installs both; they could not be here)"))
    func tensorBoardShowsTheSweepInABrowser() throws {
        let results = try RunHarness.folder("tensorboard-browser")
        let file = try TensorBoardTests.sweepFile(results)
        let trained = try Repository.run(RunHarness.genlab, ["run", file, "--results", results, "--jobs", "2"])
        #expect(trained.status == 0, "\(trained.output)")
        let runs = try TensorBoardTests.points(results).map { "\(($0 as NSString).lastPathComponent)/tensorboard" }
        let port = TensorBoardTests.freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-m", "tensorboard.main", "--logdir", "\(results)/tiny", "--host", "127.0.0.1", "--port", "\(port)"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try server.run()
        // stopped with SIGKILL and reaped here: the test runner blocks signals its children
        // inherit, and Foundation's waitUntilExit would wait for a SIGCHLD it never sees
        defer {
            kill(server.processIdentifier, SIGKILL)
            var status: Int32 = 0
            waitpid(server.processIdentifier, &status, 0)
        }
        let base = "http://127.0.0.1:\(port)"
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !runs.allSatisfy({ (TensorBoardTests.fetch("\(base)/data/runs") ?? "").contains($0) }) {
            Thread.sleep(forTimeInterval: 0.5)
        }
        let groups = try #require(TensorBoardTests.fetch("\(base)/data/plugin/hparams/session_groups", post: """
            {"experimentName": "", "allowedStatuses": ["STATUS_UNKNOWN", "STATUS_SUCCESS", "STATUS_FAILURE", "STATUS_RUNNING"],
             "colParams": [], "startIndex": 0, "sliceSize": 100}
            """))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(groups.utf8)) as? [String: Any])
        let sessions = try #require(parsed["sessionGroups"] as? [[String: Any]], "\(groups.prefix(500))")
        #expect(Set(sessions.compactMap { $0["name"] as? String }) == Set(runs))
        for session in sessions {
            let name = session["name"] as? String ?? ""
            #expect((session["hparams"] as? [String: Double])?["model.beta"] == (name.hasPrefix("beta=0.5") ? 0.5 : 2))
            let metrics = (session["metricValues"] as? [[String: Any]] ?? []).compactMap { ($0["name"] as? [String: Any])?["tag"] as? String }
            #expect(metrics.contains("validation.total") && metrics.contains("metrics/best.total") && metrics.contains("metrics/metrics.elbo"), "\(metrics)")
        }

        let script = Repository.root.appendingPathComponent("Tests/Scripts/page_text.py").path
        let browser = try #require(CompareReportTests.browser)
        for (page, words) in [("timeseries", ["validation.total"]), ("hparams", ["model.beta", "best.validation.total"])] {
            let shot = "\(results)/\(page).png"
            let rendered = try Repository.run("python3", [script, browser, "\(base)/#\(page)", shot, runs[1], "60"])
            #expect(rendered.status == 0, "\(page): \(rendered.output.suffix(600))")
            for word in runs + words { #expect(rendered.output.contains(word), "\(page) lacks \(word): \(rendered.output.suffix(600))") }
            let charts = rendered.output.split(separator: "\n").first { $0.hasPrefix("charts=") }.flatMap { Int($0.dropFirst(7)) } ?? 0
            #expect(charts > 0, "\(page): no canvas or svg")
            var image = genlab_image()
            var message = [CChar](repeating: 0, count: 256)
            try #require(genlab_image_decode(shot, &image, &message, message.count) == 0, "\(String(cString: message))")
            defer { genlab_image_free(&image) }
            let count = Int(image.width) * Int(image.height), channels = Int(image.channels)
            let background = (0..<channels).map { image.pixels[$0] }
            var differing = 0
            for p in 0..<count where (0..<channels).contains(where: { image.pixels[p * channels + $0] != background[$0] }) { differing += 1 }
            #expect(Double(differing) / Double(count) > 0.05, "\(page): \(differing) of \(count) pixels differ from the background")
        }
    }

    /// Hostile files in a `tensorboard/` folder, as a resumed point reads it for its last step:
    /// a record claiming 2⁶⁰ bytes, garbage, a FIFO, a link to /dev/zero — read without a hang
    /// or a giant allocation, up to the last whole record of GenLab's own file; a new file
    /// sorts after every one of them.
    @Test func hostileEventFilesAreReadSafely() throws {
        let folder = EventFolder(path: "\(try RunHarness.folder("tensorboard-hostile"))/tensorboard")
        let file = try EventFile(folder: folder, wallTime: 1_000)
        try file.write(step: 7, wallTime: 1_000, [.scalar(tag: "total", value: 1)])
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: file.path))
        try handle.seekToEnd()
        var huge = [UInt8](repeating: 0, count: 8)
        withUnsafeBytes(of: (UInt64(1) << 60).littleEndian) { huge = Array($0) }
        try handle.write(contentsOf: huge + withUnsafeBytes(of: CRC32C.masked(huge).littleEndian, Array.init) + [1, 2, 3])
        try handle.close()
        try Data((0..<5000).map { UInt8($0 % 251) }).write(to: URL(fileURLWithPath: "\(folder.path)/events.out.tfevents.2000.x.1.genlab"))
        #expect(mkfifo("\(folder.path)/events.out.tfevents.3000.x.1.genlab", 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: "\(folder.path)/events.out.tfevents.4000.x.1.genlab", withDestinationPath: "/dev/zero")
        try Data().write(to: URL(fileURLWithPath: "\(folder.path)/events.out.tfevents.genlab"))
        #expect(folder.lastStep == 7)
        let next = try EventFile(folder: folder, wallTime: 10)
        #expect(next.path.contains(".tfevents.4001.") && folder.files.filter { $0.contains(".tfevents.4") }.last == next.path)
    }

    /// CRC-32C's check value ("123456789") and iSCSI's test vectors (RFC 3720, B.4).
    @Test func crc32cCheckValues() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map(UInt8.init)) == 0x46DD_794E)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }
}
