import Foundation
import GenLabCore
import GenLabResults

/// A sweep as Slurm job arrays: one array task per point, `genlab worker SWEEP INDEX` in
/// each, throttled by Slurm (`--array=…%K`). GenLab writes the sbatch script beside the
/// sweep's results, submits it once and returns; everything it knows stays in the run files.
///
/// Before the time limit (`--signal=B:USR1@…`) or on preemption (SIGTERM), the script's
/// shell passes SIGTERM to the worker, which checkpoints and exits 130, and then asks Slurm
/// to requeue the task (`scontrol requeue`), at most `maxRequeues` times
/// (`SLURM_RESTART_COUNT`); the requeued task continues from the checkpoint, bit-identically.
public struct SlurmJobScript: Sendable {
    /// What `genlab run --launcher slurm` was given.
    public struct Options: Sendable {
        /// Tasks running at once (`%K`); nil for Slurm's own limit.
        public var jobs: Int?
        public var partition: String?
        /// `--time`, Slurm's format ("1:00:00", "2-00:00:00").
        public var time: String?
        /// CPUs per task, also the worker's BLAS threads.
        public var cpus: Int
        /// More `#SBATCH` lines, each one argument ("--mem=8G", "--account=lab").
        public var sbatchArguments: [String]
        /// Requeues of one task after the time-limit signal or preemption.
        public var maxRequeues: Int
        /// Seconds before the time limit that the checkpoint signal comes.
        public var signalSeconds: Int

        /// What is wrong with the options that reach the sbatch script as text (`--partition`,
        /// `--time`, `--sbatch-arg`), as a message naming the option; nil when nothing is.
        /// A partition is Slurm's name (letters, digits, `_ . -`, comma-separated); a time one
        /// of Slurm's forms ("90", "1:30:00", "2-00:00:00", "UNLIMITED"); an sbatch argument one
        /// option without a line break or other control character. Anything else could end
        /// the `#SBATCH` line and become a command on the compute node.
        public var problem: String? {
            if let partition, partition.isEmpty || !partition.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.,-".contains($0)) }) {
                return "--partition takes Slurm partition names (letters, digits, '_', '.', '-', separated by commas), found \(SlurmJobScript.shown(partition))"
            }
            if let time, !Options.isSlurmTime(time) {
                return "--time takes one of Slurm's time forms (minutes, M:S, H:M:S, D-H, D-H:M, D-H:M:S, UNLIMITED), found \(SlurmJobScript.shown(time))"
            }
            if let bad = sbatchArguments.first(where: { !$0.hasPrefix("-") || SlurmJobScript.hasControlCharacter($0) }) {
                return "--sbatch-arg takes one sbatch option such as --mem=8G (no line breaks), found \(SlurmJobScript.shown(bad))"
            }
            return nil
        }

        static func isSlurmTime(_ text: String) -> Bool {
            if ["unlimited", "infinite"].contains(text.lowercased()) { return true }
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count <= 2, let clock = parts.last else { return false }
            let fields = clock.split(separator: ":", omittingEmptySubsequences: false)
            let number = { (s: Substring) in !s.isEmpty && s.count <= 9 && s.allSatisfy { $0.isASCII && $0.isNumber } }
            return fields.count <= 3 && fields.allSatisfy(number) && (parts.count == 1 || number(parts[0]))
        }

        public init(jobs: Int? = nil, partition: String? = nil, time: String? = nil, cpus: Int = 1,
                    sbatchArguments: [String] = [], maxRequeues: Int = 3, signalSeconds: Int = 120) {
            self.jobs = jobs
            self.partition = partition
            self.time = time
            self.cpus = cpus
            self.sbatchArguments = sbatchArguments
            self.maxRequeues = maxRequeues
            self.signalSeconds = signalSeconds
        }
    }

    /// One job array: the point indices it runs, as array indices after `offset` (Slurm's
    /// array indices must stay below its `MaxArraySize`).
    public struct Array: Equatable, Sendable {
        public var offset: Int
        public var indices: [Int]

        public init(offset: Int, indices: [Int]) {
            self.offset = offset
            self.indices = indices
        }
    }

    public let options: Options
    /// The sweep's definition (absolute path), which the workers read.
    public let manifestPath: String
    /// The experiment's name (the job's name is `genlab-<experiment>`).
    public let experiment: String
    /// The genlab binary the tasks run (absolute path, on a filesystem the nodes share).
    public let executable: String

    public init(options: Options, manifestPath: String, experiment: String, executable: String) {
        self.options = options
        self.manifestPath = manifestPath
        self.experiment = experiment
        self.executable = executable
    }

    /// The folder beside the sweep's results with the scripts, the submitted job ids and one
    /// log per task.
    public var folder: String { ((manifestPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("slurm") }

    /// The sweep's id (of `sweep-<id>.json`).
    var sweepID: String {
        let name = ((manifestPath as NSString).lastPathComponent as NSString).deletingPathExtension
        return name.hasPrefix("sweep-") ? String(name.dropFirst(6)) : name
    }

    /// `indices` cut into arrays whose array indices (index − offset) stay below
    /// `maxArraySize`, offsets multiples of it.
    public static func arrays(_ indices: [Int], maxArraySize: Int) -> [Array] {
        let size = max(maxArraySize, 1)
        var arrays: [Array] = []
        for index in indices.sorted() {
            let offset = index / size * size
            if arrays.last?.offset == offset { arrays[arrays.count - 1].indices.append(index) } else {
                arrays.append(Array(offset: offset, indices: [index]))
            }
        }
        return arrays
    }

    /// "0-3,5,7-8": Slurm's compact form of array indices.
    static func ranges(_ indices: [Int]) -> String {
        var parts: [String] = []
        var start = indices.first ?? 0, end = start
        for index in indices.dropFirst() {
            if index == end + 1 { end = index; continue }
            parts.append(start == end ? "\(start)" : "\(start)-\(end)")
            (start, end) = (index, index)
        }
        if !indices.isEmpty { parts.append(start == end ? "\(start)" : "\(start)-\(end)") }
        return parts.joined(separator: ",")
    }

    /// Quoted for bash.
    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// Quoted for sbatch's own reading of an `#SBATCH` line, where whitespace ends a value,
    /// `'` and `"` open quotes, `\` escapes and `#` starts a comment: in double quotes with
    /// `\` and `"` escaped, when it holds any of them; as it is otherwise.
    static func sbatchQuoted(_ text: String) -> String {
        guard text.contains(where: { $0.isWhitespace || "'\"\\#".contains($0) }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Whether `text` holds a line break or another control character.
    static func hasControlCharacter(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control || $0 == "\u{2028}" || $0 == "\u{2029}" }
    }

    /// `text` as an error message shows it: quoted, control characters escaped.
    static func shown(_ text: String) -> String { "'\(text.debugDescription.dropFirst().dropLast())'" }

    /// Refuses a sweep whose paths the script cannot hold as data: a results folder, sweep
    /// definition or genlab binary whose path has a line break or another control character
    /// (an `#SBATCH` line ends at a line break, whatever the quoting).
    public func checkPaths() throws(RunError) {
        for path in [folder, manifestPath, executable] where SlurmJobScript.hasControlCharacter(path) {
            throw RunError(.scheduler, "a path with a line break or another control character cannot go into a Slurm script: move the results to another folder", path: SlurmJobScript.shown(path))
        }
    }

    /// The sbatch script of `array`, started once the jobs `after` have ended (a pruned
    /// sweep's next wave), with `workerOptions` for its workers (`--retry-pruned`).
    public func script(_ array: Array, after: [String] = [], workerOptions: [String] = []) -> String {
        let throttle = options.jobs.map { "%\($0)" } ?? ""
        var directives = [
            "--job-name=genlab-\(experiment)",
            "--array=\(SlurmJobScript.ranges(array.indices.map { $0 - array.offset }))\(throttle)",
            "--output=\(SlurmJobScript.sbatchQuoted("\(folder)/%A_%a.log"))",
            "--open-mode=append",
            "--requeue",
            "--signal=B:USR1@\(options.signalSeconds)",
            "--cpus-per-task=\(options.cpus)",
        ]
        if !after.isEmpty { directives.append("--dependency=afterany:\(after.joined(separator: ":"))") }
        if let partition = options.partition { directives.append("--partition=\(partition)") }
        if let time = options.time { directives.append("--time=\(time)") }
        directives += options.sbatchArguments
        return """
        #!/bin/bash
        # GenLab sweep \(experiment) (\((manifestPath as NSString).lastPathComponent)): one array task per point
        # not completed, array index + \(array.offset) = the point's index. Written and submitted by
        # 'genlab run … --launcher slurm'; 'genlab status' shows the points.
        \(directives.map { "#SBATCH \($0)" }.joined(separator: "\n"))

        genlab=\(SlurmJobScript.quoted(executable))
        sweep=\(SlurmJobScript.quoted(manifestPath))
        point=$((SLURM_ARRAY_TASK_ID + \(array.offset)))
        max_requeues=\(options.maxRequeues)

        # the worker checkpoints and exits 130 on SIGTERM; before the time limit (USR1) and on
        # preemption (TERM) this shell passes it on, then asks Slurm to requeue the task
        "$genlab" worker "$sweep" "$point" --threads "${SLURM_CPUS_PER_TASK:-1}" --log\(workerOptions.map { " \($0)" }.joined()) &
        worker=$!
        requeue=0
        trap 'requeue=1; kill -TERM "$worker" 2>/dev/null' USR1 TERM
        while :; do
          wait "$worker"
          status=$?
          kill -0 "$worker" 2>/dev/null || break
        done
        if [ "$requeue" = 1 ] && [ "$status" = 130 ]; then
          if [ "${SLURM_RESTART_COUNT:-0}" -lt "$max_requeues" ]; then
            echo "genlab: point $point checkpointed; requeued (restart $(( ${SLURM_RESTART_COUNT:-0} + 1 )) of $max_requeues)"
            scontrol requeue "${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"
          else
            echo "genlab: point $point checkpointed; not requeued after $max_requeues requeues: run 'genlab run … --launcher slurm' again to continue it"
          fi
        fi
        # 76: waiting at a rung of a pruned sweep (the next wave continues it); 77: pruned
        if [ "$status" = 76 ] || [ "$status" = 77 ]; then status=0; fi
        exit "$status"

        """
    }

    /// Writes the script of each array and submits it with `sbatch --parsable`, recording
    /// each job id (with its offset) in `jobs` beside the scripts; returns the job ids. A
    /// failing `sbatch` is an error with its message.
    public func submit(_ arrays: [Array], after: [String] = [], workerOptions: [String] = [], firstNumber: Int = 0) throws(RunError) -> [String] {
        var ids: [String] = []
        for (n, array) in arrays.enumerated() {
            let path = try writeScript(array, number: firstNumber + n, after: after, workerOptions: workerOptions)
            let (status, output) = SlurmQueue.command("sbatch", ["--parsable", path])
            let id = output.split(separator: ";").first.map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
            guard status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
                throw RunError(.scheduler, "sbatch failed\(status == 127 ? " (is Slurm installed? sbatch was not found)" : ""): \(output.trimmingCharacters(in: .whitespacesAndNewlines))", path: path)
            }
            ids.append(id)
            let jobs = (folder as NSString).appendingPathComponent("jobs")
            guard LineAppend.append("\(id) \(array.offset) \((manifestPath as NSString).lastPathComponent)", to: jobs) else {
                throw RunError(.io, "cannot record the submitted job \(id) (it is submitted: 'scancel \(id)' cancels it)", path: jobs)
            }
        }
        return ids
    }

    /// Writes the script of `array` as `slurm/sweep-<id>-<n>.sh`, returning its path.
    public func writeScript(_ array: Array, number: Int, after: [String] = [], workerOptions: [String] = []) throws(RunError) -> String {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw RunError(.io, "cannot create the folder for the Slurm scripts and logs", path: folder)
        }
        let path = (folder as NSString).appendingPathComponent("sweep-\(sweepID)-\(number).sh")
        guard FileManager.default.createFile(atPath: path, contents: Data(script(array, after: after, workerOptions: workerOptions).utf8), attributes: [.posixPermissions: 0o755]) else {
            throw RunError(.io, "cannot write the sbatch script", path: path)
        }
        return path
    }
}
