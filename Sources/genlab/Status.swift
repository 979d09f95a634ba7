import ArgumentParser
import Foundation
import GenLabRunner
import GenLabSpec

/// `genlab status FILE_OR_RESULTS_DIR`: where each point of a sweep stands, from its files.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each point of a sweep: run id, swept values, status (completed, running, interrupted, killed, failed, not started), progress and last losses, read from the run files alone.",
        discussion: """
        Given an experiment file (with the --set, --epochs and --steps of the run), its points \
        are looked up in --results. Given a results folder (results/<experiment>, or results/ \
        for every experiment), the sweeps written there (sweep-*.json) and any other run \
        folders are listed.
        """
    )

    @OptionGroup var experiment: ExperimentOptions

    @Option(help: "The results folder (for an experiment file).")
    var results = "results"

    func run() throws {
        var isFolder: ObjCBool = false
        // anything but a folder is read as an experiment file (which says what is wrong with it)
        let groups = FileManager.default.fileExists(atPath: experiment.file, isDirectory: &isFolder) && isFolder.boolValue
            ? try folderGroups() : [try fileGroup()]
        guard !groups.isEmpty else {
            print("\(experiment.file): no sweeps or runs here")
            return
        }
        for (n, group) in groups.enumerated() {
            if n > 0 { print("") }
            for line in group.lines() { print(line) }
        }
    }

    /// The points of the experiment file, as `run` with the same options would train them.
    private func fileGroup() throws -> StatusGroup {
        let all = try experiment.load().points()
        let selected = try experiment.select(all)
        let manifest = SweepManifest(experimentFile: experiment.file, points: all)
        let index = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($0.element.runID, $0.offset) })
        let folder = "\(results)/\(manifest.experiment)"
        return StatusGroup(title: "\(manifest.experiment) (\(experiment.file); results in \(folder))", keys: manifest.sweptKeys,
                           points: selected.map { manifest.points[index[$0.runID]!] }, folder: folder)
    }

    /// The sweeps and runs of a results folder: of one experiment, or of each experiment in it.
    private func folderGroups() throws -> [StatusGroup] {
        if experiment.changesExperiment {
            throw ValidationError("--set, --epochs and --steps apply to an experiment file; a results folder lists what was run")
        }
        let root = experiment.file.hasSuffix("/") && experiment.file.count > 1 ? String(experiment.file.dropLast()) : experiment.file
        let manager = FileManager.default
        let here = SweepManifest.find(in: root)
        let hasRuns = ((try? manager.contentsOfDirectory(atPath: root)) ?? []).contains { isRunFolder("\(root)/\($0)") }
        let experimentFolders = here.isEmpty && !hasRuns
            ? ((try? manager.contentsOfDirectory(atPath: root)) ?? []).sorted().map { "\(root)/\($0)" }
            : [root]
        var groups: [StatusGroup] = []
        for folder in experimentFolders {
            groups += try sweepGroups(in: folder)
        }
        return groups
    }

    private func isRunFolder(_ path: String) -> Bool {
        ["run.h5", "run.lock", "run.failed"].contains { FileManager.default.fileExists(atPath: "\(path)/\($0)") }
    }

    /// One group per sweep written in `folder`, and one for run folders no sweep names.
    private func sweepGroups(in folder: String) throws -> [StatusGroup] {
        var groups: [StatusGroup] = []
        var named = Set<String>()
        var conditions: [PointFilter] = []
        for text in experiment.filters { conditions.append(try PointFilter.commandLine(text)) }
        for path in SweepManifest.find(in: folder) {
            let manifest = try SweepManifest.read(path: path)
            var points = manifest.points
            if !conditions.isEmpty {
                let rebuilt = try manifest.points.indices.map { try manifest.point(at: $0, path: path) }
                let keep = Set(try PointFilter.select(rebuilt, conditions).map(\.runID))
                points = points.filter { keep.contains($0.runID) }
            }
            named.formUnion(manifest.points.map(\.runID))
            groups.append(StatusGroup(title: "\(manifest.experiment) (sweep \((path as NSString).lastPathComponent) of \(manifest.experimentFile))",
                                      keys: manifest.sweptKeys, points: points, folder: folder))
        }
        let others = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
            .filter { !named.contains($0) && isRunFolder("\(folder)/\($0)") }
        if !others.isEmpty && conditions.isEmpty {
            let points = others.map { SweepManifest.Point(index: -1, runID: $0, overrides: [], configYAML: "") }
            groups.append(StatusGroup(title: "\(folder): runs of no recorded sweep", keys: [], points: points, folder: folder))
        }
        return groups
    }
}

/// The status lines of one sweep's points.
struct StatusGroup {
    let title: String
    let keys: [String]
    let points: [SweepManifest.Point]
    let folder: String

    func lines() -> [String] {
        var table = TextTable(header: ["#", "run id"] + SweepScheduler.columnNames(keys) + ["status", "progress", "last losses"])
        var counts: [PointStatus.State: Int] = [:]
        var problems: [String] = []
        for point in points {
            let files = PointFiles(folder: "\(folder)/\(point.runID)")
            let status = PointStatus.read(files)
            counts[status.state, default: 0] += 1
            var state = status.state.rawValue
            if status.state == .running, let pid = status.pid, pid > 0 { state += " (pid \(pid))" }
            let values = keys.map { key in point.overrides.first { $0.key == key }?.value ?? "" }
            table.append([point.index >= 0 ? String(point.index) : ""] + [point.runID] + values
                         + [state, status.progressText, status.lastLossesText])
            if let failure = status.failure, [.failed, .unreadable].contains(status.state) {
                problems.append("\(status.state.rawValue) \(point.runID): \(failure)")
                if FileManager.default.fileExists(atPath: files.log) { problems.append("  log: \(files.log)") }
            }
        }
        let tally = PointStatus.State.allCases.compactMap { s in counts[s].map { "\($0) \(s.rawValue)" } }.joined(separator: ", ")
        var lines = ["\(title): \(points.count) point\(points.count == 1 ? "" : "s"): \(tally)"] + table.lines(maxCell: 60) + problems
        if (counts[.killed] ?? 0) + (counts[.interrupted] ?? 0) + (counts[.notStarted] ?? 0) > 0 {
            lines.append("'genlab run' with the same experiment file and options continues the interrupted and killed points and starts the others")
        }
        return lines
    }
}
