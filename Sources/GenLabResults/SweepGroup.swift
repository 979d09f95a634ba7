import Foundation
import GenLabSpec

/// The points of one sweep and the folder of their run files: what `status`, `compare` and
/// `report` read.
public struct SweepGroup: Sendable {
    /// What the group is (the experiment, its sweep's definition or folder).
    public let title: String
    /// The swept keys.
    public let keys: [String]
    public let points: [SweepManifest.Point]
    /// The folder of the points' run folders (`results/<experiment>`).
    public let folder: String
    /// The sweep's definition file name (`sweep-<id>.json`); nil for runs of no sweep.
    public var manifestName: String? = nil

    /// The sweeps named by an experiment file (with the options of the run that trained it,
    /// looked up in `results`) or written in a results folder (of one experiment, or of each
    /// experiment in it; run folders no sweep names form a group of their own).
    public static func find(_ experiment: ExperimentSelection, results: String) throws -> [SweepGroup] {
        var isFolder: ObjCBool = false
        // anything but a folder is read as an experiment file (which says what is wrong with it)
        let finder = Finder(experiment: experiment, results: results)
        return FileManager.default.fileExists(atPath: experiment.file, isDirectory: &isFolder) && isFolder.boolValue
            ? try finder.folderGroups() : [try finder.fileGroup()]
    }

    private struct Finder {
        let experiment: ExperimentSelection
        let results: String

        /// The points of the experiment file, as `run` with the same options would train them.
        func fileGroup() throws -> SweepGroup {
            let all = try experiment.load().points()
            let selected = try experiment.select(all)
            let manifest = SweepManifest(experimentFile: experiment.file, points: all)
            let index = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($0.element.runID, $0.offset) })
            let folder = "\(results)/\(manifest.experiment)"
            return SweepGroup(title: "\(manifest.experiment) (\(experiment.file); results in \(folder))", keys: manifest.sweptKeys,
                              points: selected.map { manifest.points[index[$0.runID]!] }, folder: folder,
                              manifestName: (SweepManifest.path(results: results, points: all) as NSString).lastPathComponent)
        }

        /// The sweeps and runs of a results folder: of one experiment, or of each experiment in it.
        func folderGroups() throws -> [SweepGroup] {
            if experiment.changesExperiment {
                throw RunError(.options, "--set, --epochs and --steps apply to an experiment file; a results folder lists what was run",
                               path: experiment.file)
            }
            let root = experiment.file.hasSuffix("/") && experiment.file.count > 1 ? String(experiment.file.dropLast()) : experiment.file
            let manager = FileManager.default
            let here = SweepManifest.find(in: root)
            let hasRuns = ((try? manager.contentsOfDirectory(atPath: root)) ?? []).contains { isRunFolder("\(root)/\($0)") }
            let experimentFolders = here.isEmpty && !hasRuns
                ? ((try? manager.contentsOfDirectory(atPath: root)) ?? []).sorted().map { "\(root)/\($0)" }
                : [root]
            var groups: [SweepGroup] = []
            for folder in experimentFolders {
                groups += try sweepGroups(in: folder)
            }
            return groups
        }

        private func isRunFolder(_ path: String) -> Bool {
            ["run.h5", "run.lock", "run.failed"].contains { FileManager.default.fileExists(atPath: "\(path)/\($0)") }
        }

        /// One group per sweep written in `folder`, and one for run folders no sweep names.
        private func sweepGroups(in folder: String) throws -> [SweepGroup] {
            var groups: [SweepGroup] = []
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
                groups.append(SweepGroup(title: "\(manifest.experiment) (sweep \((path as NSString).lastPathComponent) of \(manifest.experimentFile.visible))",
                                          keys: manifest.sweptKeys, points: points, folder: folder,
                                          manifestName: (path as NSString).lastPathComponent))
            }
            let others = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
                .filter { !named.contains($0) && isRunFolder("\(folder)/\($0)") }
            if !others.isEmpty && conditions.isEmpty {
                let points = others.map { SweepManifest.Point(index: -1, runID: $0, overrides: [], configYAML: "") }
                groups.append(SweepGroup(title: "\(folder): runs of no recorded sweep", keys: [], points: points, folder: folder))
            }
            return groups
        }
    }
}
