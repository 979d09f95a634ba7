import Foundation
import GenLabCore

/// What Slurm says about a sweep's submitted tasks, asked of `squeue` (never of `sacct`:
/// small clusters often run without accounting), and Slurm's limits.
public enum SlurmQueue {
    /// Runs `name arguments` found on PATH; its exit status (127 when not found) and its
    /// standard output and error together.
    static func command(_ name: String, _ arguments: [String]) -> (status: Int32, output: String) {
        ChildProcess.run(name, arguments)
    }

    /// The cluster's `MaxArraySize` (array indices must stay below it), from `scontrol show
    /// config`; Slurm's default 1001 when it does not say.
    public static func maxArraySize() -> Int {
        let (status, output) = command("scontrol", ["show", "config"])
        guard status == 0 else { return 1001 }
        for line in output.split(separator: "\n") where line.hasPrefix("MaxArraySize") {
            if let value = line.split(separator: "=").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) { return value }
        }
        return 1001
    }

    /// The jobs submitted for the sweep `manifestName` (`sweep-<id>.json`) from the results
    /// folder `folder`: job id and array offset, from `slurm/jobs`. A line that is not a
    /// job id (digits), an offset (0 ... `maxOffset`) and a sweep's name is not GenLab's and is
    /// left out, as is the whole file when it is not a regular file of at most 16 MiB.
    static func submitted(folder: String, manifestName: String) -> [(id: String, offset: Int)] {
        guard let bytes = PrivateFile.read("\(folder)/slurm/jobs", limit: 16 << 20) else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 3, fields[2] == manifestName, !fields[0].isEmpty, fields[0].count <= 20,
                  fields[0].allSatisfy({ $0.isASCII && $0.isNumber }),
                  let offset = Int(fields[1]), (0...maxOffset).contains(offset) else { return nil }
            return (String(fields[0]), offset)
        }
    }

    /// The largest array offset GenLab writes: point indices are below `Int32.max`.
    static let maxOffset = Int(Int32.max)

    /// Slurm's state ("PENDING", "RUNNING", "REQUEUED", …) of each point of the sweep
    /// `manifestName` in `folder` that a submitted task still holds, by point index; nil when
    /// nothing was submitted or `squeue` does not answer.
    public static func states(folder: String, manifestName: String) -> [Int: String]? {
        let jobs = submitted(folder: folder, manifestName: manifestName)
        guard !jobs.isEmpty else { return nil }
        let (status, output) = command("squeue", ["-h", "-r", "-j", jobs.map(\.id).joined(separator: ","), "-o", "%F %K %T"])
        // squeue answers "Invalid job id" once every job has left the queue
        if status != 0 && output.contains("Invalid job id") { return [:] }
        guard status == 0 else { return nil }
        let offsets = Dictionary(jobs.map { ($0.id, $0.offset) }, uniquingKeysWith: { first, _ in first })
        var states: [Int: String] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let offset = offsets[String(fields[0])], let task = Int(fields[1]),
                  (0...maxOffset).contains(task) else { continue }
            states[task + offset] = String(fields[2])
        }
        return states
    }
}
