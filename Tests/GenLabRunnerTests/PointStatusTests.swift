import Foundation
import GenLabAnalysis
import GenLabReport
import GenLabResults
import GenLabStore
import GenLabSweeps
import GenLabTestSupport
import GenLabTraining
import Testing

/// A point's status comes from its files alone: run file, lock, failure note.
@Suite struct PointStatusTests {
    @Test func everyStateIsReadFromTheFiles() throws {
        let point = try RunHarness.point("arena-conv-ae", ["dataset.subset=256", "train.batch_size=32"], length: .steps(6))
        let results = try RunHarness.folder("states")
        let files = PointFiles(results: results, experiment: point.experiment.name, runID: point.runID)
        #expect(PointStatus.read(files).state == .notStarted)

        _ = try RunHarness.run(point, results: results, stopAfter: 3)
        var status = PointStatus.read(files)
        #expect(status.state == .interrupted && status.progressText == "step 3/6")
        #expect(status.lastLossesText.isEmpty)

        // held by a live process (this one): running, with its pid
        var lock: RunLock? = try RunLock(folder: files.folder)
        status = PointStatus.read(files)
        #expect(status.state == .running && status.pid == getpid())
        withExtendedLifetime(lock) {}
        lock = nil

        // a failure note wins over what the run file says, and a new attempt removes it
        try files.noteFailure("the dataset went away")
        status = PointStatus.read(files)
        #expect(status.state == .failed && status.failure == "the dataset went away")
        let done = try RunHarness.run(point, results: results)
        #expect(done.outcome == .completed)
        status = PointStatus.read(files)
        #expect(status.state == .completed && status.failure == nil && status.progressText == "step 6/6")

        // a run file that says running while nobody holds the lock: killed
        var metadata = done.contents.metadata
        metadata.status = .running
        try RunFile.commit(path: files.runFile, metadata: metadata, state: nil)
        #expect(PointStatus.read(files).state == .killed)

        try Data("not hdf5".utf8).write(to: URL(fileURLWithPath: files.runFile))
        status = PointStatus.read(files)
        #expect(status.state == .unreadable && (status.failure ?? "").contains(files.runFile))

        // a lock file without a run file: an attempt died before its first commit
        try FileManager.default.removeItem(atPath: files.runFile)
        #expect(PointStatus.read(files).state == .killed)
    }
}
