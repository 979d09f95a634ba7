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

    public var runFile: String { "\(folder)/run.h5" }
    public var lock: String { "\(folder)/run.lock" }
    public var log: String { "\(folder)/run.log" }
    public var failureNote: String { "\(folder)/run.failed" }

    /// Appends a line to the point's log (a point trained in the `genlab run` process itself
    /// keeps its log as a worker's would be).
    public func log(_ line: String) { LineAppend.append(line, to: log) }

    /// Records why the last attempt failed (replacing an earlier note).
    public func noteFailure(_ message: String) throws(HDF5Error) {
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try DurableFile.replace(failureNote, with: Array((message + "\n").utf8))
    }

    /// The failure note's message, if there is one.
    public func failure() -> String? {
        guard let data = FileManager.default.contents(atPath: failureNote) else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Removes the failure note (a new attempt has started).
    public func clearFailure() {
        unlink(failureNote)
    }
}
