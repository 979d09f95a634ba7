import Foundation
import Glibc
import GenLabCore
import GenLabStore

/// Where a sweep point's files are: `<results>/<experiment>/<run id>/` holds its run file
/// (`run.h5`), its lock (`run.lock`, holding the pid of the process training it), the output
/// of the worker that trains it (`run.log`) and, when an attempt failed before or outside
/// what the run file records (a dataset that cannot be read, a crashed worker), a failure
/// note (`run.failed`, the message) that the next attempt removes.
public struct PointFiles: Equatable, Sendable {
    public let folder: String

    public init(folder: String) { self.folder = folder }

    public init(results: String, experiment: String, runID: String) {
        folder = "\(results)/\(experiment)/\(runID)"
    }

    /// The run id the folder is named after.
    public var runID: String { (folder as NSString).lastPathComponent }
    public var runFile: String { "\(folder)/run.h5" }
    public var lock: String { "\(folder)/run.lock" }
    public var log: String { "\(folder)/run.log" }
    public var failureNote: String { "\(folder)/run.failed" }
    /// TensorBoard's event files of the point (`record.tensorboard`).
    public var tensorboard: String { "\(folder)/tensorboard" }

    /// Appends a line to the point's log (a point trained in the `genlab run` process itself
    /// keeps its log as a worker's would be).
    public func log(_ line: String) { LineAppend.append(line, to: log) }

    /// Records why the last attempt failed (replacing an earlier note).
    public func noteFailure(_ message: String) throws(HDF5Error) {
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try DurableFile.replace(failureNote, with: Array((message + "\n").utf8))
    }

    /// The failure note's message, if there is one (its first 64 KiB; a note that is a link,
    /// FIFO or other special file is "unreadable").
    public func failure() -> String? {
        guard FileManager.default.fileExists(atPath: failureNote) || PrivateFile.irregularity(failureNote) != nil else { return nil }
        guard let bytes = PrivateFile.read(failureNote, limit: Int.max, prefix: 65_536) else {
            return "the failure note cannot be read (\(PrivateFile.irregularity(failureNote) ?? "unreadable"))"
        }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Removes what writers of the run file killed mid-write left beside it (`run.h5.<pid>.
    /// <random>.tmp`); only the holder of the point's lock may, since only it writes the file.
    public func removeTemporaries() {
        let base = (runFile as NSString).lastPathComponent
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where PrivateFile.isTemporary(name, of: base) {
            unlink("\(folder)/\(name)")
        }
    }

    /// Removes the failure note (a new attempt has started).
    public func clearFailure() {
        unlink(failureNote)
    }
}
