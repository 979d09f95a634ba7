import Foundation
import GenLabStore
import GenLabTestSupport
import Testing

/// Run files: every kind of content round-trips, history appends across commits, broken
/// files are typed errors, and h5py reads what GenLab writes.
@Suite struct RunFileTests {
    static func folder() throws -> String {
        try TestFolder.make("store").path
    }

    static let metadata = RunMetadata(
        experiment: "arena-conv-vae", runID: "beta=0.1-0123abcd", status: .running,
        configYAML: "name: arena-conv-vae\nmodel:\n  kind: vae # β ≥ 0\n", sweepPoint: "model.beta=0.1",
        genlabVersion: "0.1.0", startedAt: "2026-11-21T12:00:00Z", modelJSON: "{\"format\": \"genlab-model\"}",
        configJSON: "{\"name\": \"arena-conv-vae\"}", sweepPointJSON: "{\"model.beta\": 0.1}")

    static func state(_ value: Float) -> RunState {
        RunState(
            weights: ["decoder": [StoredArray(name: "5.weight", shape: [32, 16, 4, 4], floats: (0..<8192).map { Float($0) * value })],
                      "encoder": [StoredArray(name: "0.weight", shape: [16, 1, 4, 4], floats: [Float](repeating: value, count: 256)),
                                  StoredArray(name: "3.bias", shape: [2], floats: [1, -1])]],
            buffers: ["encoder": [StoredArray(name: "1.running_mean", shape: [3], floats: [0.1, 0.2, 0.3]),
                                  StoredArray(name: "1.num_batches_tracked", shape: [], values: .int64([42]))]],
            optimizers: ["model": [StoredArray(name: "step", shape: [], values: .int64([7])),
                                   StoredArray(name: "exp_avg/encoder.0.weight", shape: [256], floats: [Float](repeating: 0.5, count: 256))]],
            rng: ["noise": [Int64.min, 12345]],
            progress: RunProgress(step: 7, epoch: 1, batch: 3))
    }

    static func latents(_ epoch: Int) -> LatentRecord {
        let values = (0..<10).map { Float($0 + epoch) }
        return LatentRecord(step: 10 * (epoch + 1), epoch: epoch, mu: StoredArray(name: "mu", shape: [5, 2], floats: values),
                            logSigma: StoredArray(name: "logsigma", shape: [5, 2], floats: values.map { -$0 }),
                            z: StoredArray(name: "z", shape: [5, 2], floats: values.map { $0 * 2 }), labels: [0, 1, 2, 3, 4])
    }

    static func history(_ steps: ClosedRange<Int>) -> HistoryRows {
        var rows = HistoryRows()
        for s in steps { rows.append(step: Int64(s), epoch: Int64(s / 3), losses: ["total": Float(s), "kl": Float(s) / 10]) }
        return rows
    }

    @Test func everyKindOfContentRoundTrips() throws {
        let path = try RunFileTests.folder() + "/run.h5"
        let samples = SampleRecord(step: 5, images: StoredArray(name: "s", shape: [2, 1, 2, 2], floats: (0..<8).map(Float.init)))
        try RunFile.commit(path: path, metadata: RunFileTests.metadata, state: RunFileTests.state(2),
                           newHistory: RunFileTests.history(1...4), newLatents: [RunFileTests.latents(0)], newSamples: [samples])
        let contents = try RunFile.read(path: path)
        #expect(contents.metadata == RunFileTests.metadata)
        #expect(contents.formatVersion == RunFile.formatVersion)
        let state = try #require(contents.state)
        let expected = RunFileTests.state(2)
        #expect(state.progress == expected.progress && state.rng == expected.rng)
        for (group, stored, written) in [("weights", state.weights, expected.weights), ("buffers", state.buffers, expected.buffers),
                                          ("optimizer", state.optimizers, expected.optimizers)] {
            for (network, arrays) in written {
                #expect(stored[network]?.sorted { $0.name < $1.name } == arrays.sorted { $0.name < $1.name }, "\(group)/\(network)")
            }
        }
        #expect(contents.history == RunFileTests.history(1...4))
        #expect(contents.latents == [RunFileTests.latents(0)])
        #expect(contents.samples.map(\.step) == [5] && contents.samples[0].images.floats == (0..<8).map(Float.init))
    }

    /// A commit without a state keeps the previous one; history rows accumulate across
    /// closes and reopens; latents and samples accumulate.
    @Test func historyAppendsAcrossCommits() throws {
        let path = try RunFileTests.folder() + "/run.h5"
        try RunFile.commit(path: path, metadata: RunFileTests.metadata, state: RunFileTests.state(1),
                           newHistory: RunFileTests.history(1...3), newLatents: [RunFileTests.latents(0)])
        var done = RunFileTests.metadata
        done.status = .completed
        done.finishedAt = "2026-11-21T13:00:00Z"
        try RunFile.commit(path: path, metadata: done, state: nil, newHistory: RunFileTests.history(4...6),
                           newLatents: [RunFileTests.latents(1)])
        let contents = try RunFile.read(path: path)
        #expect(contents.history == RunFileTests.history(1...6))
        #expect(contents.metadata.status == .completed && contents.metadata.finishedAt == done.finishedAt)
        #expect(contents.state?.weights["encoder"]?.first?.floats == [Float](repeating: 1, count: 256))
        #expect(contents.latents.map(\.epoch) == [0, 1])
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
    }

    /// A commit without new history rows (a checkpoint between two history rows, or the
    /// failure mark) keeps the history as it is.
    @Test func commitWithoutNewRowsKeepsTheHistory() throws {
        let path = try RunFileTests.folder() + "/run.h5"
        try RunFile.commit(path: path, metadata: RunFileTests.metadata, state: RunFileTests.state(1), newHistory: RunFileTests.history(1...2))
        try RunFile.commit(path: path, metadata: RunFileTests.metadata, state: RunFileTests.state(2))
        var failed = RunFileTests.metadata
        failed.status = .failed
        failed.failure = "loss 'total' is nan at step 3"
        try RunFile.commit(path: path, metadata: failed, state: nil)
        let contents = try RunFile.read(path: path)
        #expect(contents.history == RunFileTests.history(1...2))
        #expect(contents.metadata.status == .failed && contents.state?.weights["encoder"]?.first?.floats?.first == 2)
    }

    /// Samples and latents go to record files written once (`run.records/`) and linked from
    /// the run file, so a commit rewrites the state and the history, not the run's past
    /// records: 30 records of 50,176 floats each add a few hundred bytes of links per commit to the
    /// run file, the first record file is never rewritten, everything reads back through the
    /// links, and a missing record is a typed error naming it. The commit that stops the run
    /// takes the records in: the file then reads alone, moved away from the folder.
    @Test func recordsAreWrittenOnceAndLinked() throws {
        let path = try RunFileTests.folder() + "/run.h5"
        func sample(_ step: Int) -> SampleRecord {
            SampleRecord(step: step, images: StoredArray(name: "s", shape: [64, 1, 28, 28], floats: (0..<50_176).map { Float($0 % 97 + step) }))
        }
        func latents(_ step: Int) -> LatentRecord {
            var record = RunFileTests.latents(step)
            record.step = step
            return record
        }
        func size(_ path: String) throws -> Int { try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int }
        func inode(_ path: String) throws -> Int { try (FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as! NSNumber).intValue }
        try RunFile.commit(path: path, metadata: RunFileTests.metadata, state: RunFileTests.state(1), newHistory: RunFileTests.history(1...1),
                           newLatents: [latents(1)], newSamples: [sample(1)])
        let folder = RunFile.recordsFolder(path)
        #expect(folder.hasSuffix("/run.records"))
        let first = "\(folder)/samples_step_1.h5", firstInode = try inode(first), firstSize = try size(path)
        for step in 2...31 {
            try RunFile.commit(path: path, metadata: RunFileTests.metadata, state: RunFileTests.state(Float(step)),
                               newHistory: RunFileTests.history(step...step), newLatents: [latents(step)], newSamples: [sample(step)])
        }
        #expect(try inode(first) == firstInode)
        let growth = try size(path) - firstSize
        #expect(growth < 30 * 1024, "the run file grew by \(growth) bytes for 30 commits")
        let contents = try RunFile.read(path: path)
        #expect(contents.samples.map(\.step) == Array(1...31))
        #expect(contents.samples.allSatisfy { $0.images.floats == sample($0.step).images.floats && $0.images.shape == [64, 1, 28, 28] })
        #expect(contents.latents == (1...31).map(latents))

        try FileManager.default.copyItem(atPath: folder, toPath: folder + ".saved")
        try FileManager.default.removeItem(atPath: "\(folder)/samples_step_7.h5")
        let error = try #require(throws: HDF5Error.self) { try RunFile.read(path: path) }
        #expect(error.path == path && error.message.contains("samples/step_7"), "\(error.message)")

        // the run stops: its last commit takes the records in, and the file stands alone
        try FileManager.default.removeItem(atPath: folder)
        try FileManager.default.moveItem(atPath: folder + ".saved", toPath: folder)
        var completed = RunFileTests.metadata
        completed.status = .completed
        try RunFile.commit(path: path, metadata: completed, state: nil, newSamples: [sample(32)])
        #expect(!FileManager.default.fileExists(atPath: folder))
        try FileManager.default.moveItem(atPath: path, toPath: path + ".alone")
        let alone = try RunFile.read(path: path + ".alone")
        #expect(alone.samples.map(\.step) == Array(1...32) && alone.samples[31].images.floats == sample(32).images.floats)
        #expect(alone.latents == (1...31).map(latents))
    }

    /// A commit that fails leaves the previous file as it was.
    @Test func failedCommitLosesNothing() throws {
        let path = try RunFileTests.folder() + "/run.h5"
        try RunFile.commit(path: path, metadata: RunFileTests.metadata, state: RunFileTests.state(1), newHistory: RunFileTests.history(1...2))
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        var bad = HistoryRows()
        bad.append(step: 3, epoch: 1, losses: ["total": 3, "kl": 0.3, "brand_new": 1])
        #expect(throws: HDF5Error.self) { try RunFile.commit(path: path, metadata: RunFileTests.metadata, state: nil, newHistory: bad) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
    }

    @Test func brokenFilesAreTypedErrors() throws {
        let folder = try RunFileTests.folder()
        func message(_ path: String) -> String? {
            do {
                _ = try RunFile.read(path: path)
                return nil
            } catch {
                #expect(error.path == path)
                return error.message
            }
        }
        #expect(message("\(folder)/missing.h5") == "no such file")
        try Data("definitely not HDF5".utf8).write(to: URL(fileURLWithPath: "\(folder)/garbage.h5"))
        #expect(message("\(folder)/garbage.h5")?.contains("not an HDF5 file") == true)

        let run = "\(folder)/run.h5"
        try RunFile.commit(path: run, metadata: RunFileTests.metadata, state: RunFileTests.state(1), newHistory: RunFileTests.history(1...2))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: run))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: "\(folder)/truncated.h5"))
        #expect(message("\(folder)/truncated.h5") != nil)

        let plain = try HDF5File(path: "\(folder)/plain.h5", mode: .create)
        try plain.write([Float(1), 2], shape: [2], at: "/x")
        try plain.close()
        #expect(message("\(folder)/plain.h5")?.contains("not a GenLab run") == true)

        let newer = try HDF5File(path: run, mode: .readWrite)
        try newer.setAttribute("format_version", Int64(99))
        try newer.close()
        #expect(message(run)?.contains("newer GenLab (run format 99)") == true)
    }

    /// Format 3 is the described file: a run without its description (an older one's metadata)
    /// is written as format 2 and reads back so; the three attributes go together; a format 3
    /// file without one of them is damaged; `/sample_inputs` is written with a state and kept
    /// by commits that leave it out.
    @Test func theDescriptionMakesFormat3() throws {
        let folder = try RunFileTests.folder()
        var old = RunFileTests.metadata
        (old.modelJSON, old.configJSON, old.sweepPointJSON) = (nil, nil, nil)
        try RunFile.commit(path: "\(folder)/old.h5", metadata: old, state: RunFileTests.state(1))
        let contents = try RunFile.read(path: "\(folder)/old.h5")
        #expect(contents.formatVersion == 2 && contents.metadata == old)

        var partial = RunFileTests.metadata
        partial.configJSON = nil
        let refused = try #require(throws: HDF5Error.self) {
            try RunFile.commit(path: "\(folder)/partial.h5", metadata: partial, state: RunFileTests.state(1))
        }
        #expect(refused.reason == .invalidRecord && !FileManager.default.fileExists(atPath: "\(folder)/partial.h5"))

        let run = "\(folder)/run.h5"
        let inputs = [StoredArray(name: "noise", shape: [2, 3], floats: [1, 2, 3, 4, 5, 6]),
                      StoredArray(name: "labels", shape: [2], values: .int64([0, 1]))]
        try RunFile.commit(path: run, metadata: RunFileTests.metadata, state: RunFileTests.state(1), sampleInputs: inputs)
        try RunFile.commit(path: run, metadata: RunFileTests.metadata, state: RunFileTests.state(2))
        let file = try HDF5File(path: run, mode: .readOnly)
        #expect(try file.read(Float.self, at: "/sample_inputs/noise").values == [1, 2, 3, 4, 5, 6])
        #expect(try file.read(Int64.self, at: "/sample_inputs/labels").values == [0, 1])
        try file.close()
        let removal = try Repository.run("python3", ["-c", "import h5py, sys; del h5py.File(sys.argv[1], 'r+').attrs['sweep_point_json']", run])
        #expect(removal.status == 0, "\(removal.output)")
        let damaged = try #require(throws: HDF5Error.self) { try RunFile.read(path: run) }
        #expect(damaged.reason == .damaged && damaged.message.contains("'sweep_point_json'") && damaged.path == run)
    }

    /// h5py (installed by the setup step) opens a GenLab run file: attributes are str,
    /// a ConvTranspose2d weight is (in, out, kh, kw), history columns have equal lengths.
    @Test func h5pyReadsRunFiles() throws {
        let path = try RunFileTests.folder() + "/run.h5"
        try RunFile.commit(path: path, metadata: RunFileTests.metadata, state: RunFileTests.state(1), newHistory: RunFileTests.history(1...3))
        try RunFile.commit(path: path, metadata: RunFileTests.metadata, state: nil, newHistory: RunFileTests.history(4...9))
        let script = Repository.root.appendingPathComponent("Tests/Fixtures/check_run_h5py.py").path
        let result = try Repository.run("python3", [script, path, "decoder", "5.weight", "32,16,4,4"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("4 history columns of 9 rows"))
    }
}
