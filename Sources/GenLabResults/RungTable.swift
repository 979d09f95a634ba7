import Foundation
import GenLabCore
import Glibc

/// A pruned sweep's decisions (`rungs-<id>.json` beside `sweep-<id>.json`): per rung, the
/// values the points reported there, in the order they came, and whether each point went
/// on. Changed only under its lock (`flock` on `rungs-<id>.lock`) and replaced atomically, so a
/// killed writer leaves the old or the new table, and every process — workers, Slurm tasks,
/// a second `run` — sees the same decisions.
public struct RungTable: Equatable, Sendable {
    public static let formatName = "genlab-rungs"

    /// What became of a point at a rung.
    public enum Decision: String, Codable, Sendable {
        case promoted, pruned
    }

    /// One point's value at a rung.
    public struct Report: Equatable, Sendable {
        public var runID: String
        /// The metric's value (NaN when it was not finite).
        public var value: Double
        /// nil while a synchronous rung waits for the others.
        public var decision: Decision?
    }

    /// A rung: its step and the reports that reached it.
    public struct Rung: Equatable, Sendable {
        public var step: Int
        public var reports: [Report]

        public func report(of runID: String) -> Report? { reports.first { $0.runID == runID } }
    }

    /// The rungs that have reports, by step.
    public var rungs: [Rung]

    public init(rungs: [Rung] = []) { self.rungs = rungs }

    /// The rung at `step`, created empty when absent.
    public mutating func rung(at step: Int) -> Int {
        if let i = rungs.firstIndex(where: { $0.step == step }) { return i }
        rungs.append(Rung(step: step, reports: []))
        rungs.sort { $0.step < $1.step }
        return rungs.firstIndex { $0.step == step }!
    }

    /// The report of `runID` at `step`, if it made one.
    public func report(of runID: String, at step: Int) -> Report? {
        rungs.first { $0.step == step }?.report(of: runID)
    }

    // MARK: the file

    /// The table beside the sweep definition at `manifestPath`.
    public static func path(manifestPath: String) -> String {
        let folder = (manifestPath as NSString).deletingLastPathComponent
        let name = ((manifestPath as NSString).lastPathComponent as NSString).deletingPathExtension
        let id = name.hasPrefix("sweep-") ? String(name.dropFirst(6)) : name
        return (folder as NSString).appendingPathComponent("rungs-\(id).json")
    }

    /// Reads the table at `path` (empty when there is none yet).
    public static func read(path: String) throws(RunError) -> RungTable {
        guard FileManager.default.fileExists(atPath: path) else { return RungTable() }
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            guard (attributes[.type] as? FileAttributeType) == .typeRegular else {
                throw RunError(.manifest, "the rung table is not a regular file", path: path)
            }
            guard let size = attributes[.size] as? Int, size <= 64 << 20 else {
                throw RunError(.manifest, "the rung table is larger than 64 MiB (damaged?)", path: path)
            }
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let error as RunError {
            throw error
        } catch {
            throw RunError(.manifest, "cannot read the rung table: \(error.localizedDescription)", path: path)
        }
        do {
            return try RungTable(json: data)
        } catch {
            throw RunError(.manifest, "the rung table cannot be read (damaged?): \(error.message); remove it to decide again from the run files' histories", path: path)
        }
    }

    /// Runs `body` on the table at `path` under its lock and writes the table back when
    /// `body` changed it.
    public static func update<T>(path: String, _ body: (inout RungTable) throws(RunError) -> T) throws(RunError) -> T {
        let lockPath = (path as NSString).deletingPathExtension + ".lock"
        let descriptor = PrivateFile.openRegular(lockPath, O_RDWR | O_CREAT)
        guard descriptor >= 0 else { throw RunError(.io, "cannot create the rung table's lock: \(PrivateFile.reason())", path: lockPath) }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw RunError(.io, "cannot lock the rung table: \(PrivateFile.reason())", path: lockPath) }
        }
        // under the lock no other writer is at work: a temporary beside the table is a killed
        // writer's, never renamed into place
        let folder = (path as NSString).deletingLastPathComponent, base = (path as NSString).lastPathComponent
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where PrivateFile.isTemporary(name, of: base) {
            unlink((folder as NSString).appendingPathComponent(name))
        }
        let old = try read(path: path)
        var table = old
        let result = try body(&table)
        if table != old {
            do {
                try DurableWrite.replace(path, with: Array(table.json))
            } catch {
                throw RunError(.io, "cannot write the rung table: \(error.message)", path: path)
            }
        }
        return result
    }

    // MARK: JSON

    struct Problem: Error {
        var message: String
    }

    private struct Stored: Codable {
        var format: String
        var rungs: [StoredRung]
    }

    private struct StoredRung: Codable {
        var step: Int
        var reports: [StoredReport]
    }

    private struct StoredReport: Codable {
        var runID: String
        /// nil for NaN (JSON has no NaN).
        var value: Double?
        var decision: Decision?

        enum CodingKeys: String, CodingKey {
            case runID = "run_id", value, decision
        }
    }

    /// The table as JSON, indented, keys sorted.
    var json: Data {
        let stored = Stored(format: RungTable.formatName, rungs: rungs.map { rung in
            StoredRung(step: rung.step, reports: rung.reports.map { StoredReport(runID: $0.runID, value: $0.value.isFinite ? $0.value : nil, decision: $0.decision) })
        })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? encoder.encode(stored)) ?? Data()
    }

    init(json data: Data) throws(Problem) {
        let stored: Stored
        do { stored = try JSONDecoder().decode(Stored.self, from: data) } catch { throw Problem(message: "\(error)") }
        guard stored.format == RungTable.formatName else { throw Problem(message: "its format is '\(stored.format)', not '\(RungTable.formatName)'") }
        var steps = Set<Int>()
        for rung in stored.rungs {
            guard rung.step > 0, steps.insert(rung.step).inserted else { throw Problem(message: "rung step \(rung.step) is not positive or appears twice") }
            guard Set(rung.reports.map(\.runID)).count == rung.reports.count else { throw Problem(message: "a point reports twice at rung \(rung.step)") }
        }
        rungs = stored.rungs.sorted { $0.step < $1.step }.map { rung in
            Rung(step: rung.step, reports: rung.reports.map { Report(runID: $0.runID, value: $0.value ?? .nan, decision: $0.decision) })
        }
    }
}
