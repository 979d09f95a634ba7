import Foundation
import GenLabCore
import GenLabSpec
import GenLabStore

/// A sweep's definition, written beside its points as `<results>/<experiment>/sweep-<id>.json`
/// when it is run: every point (started or not) with its index, run id, overrides and
/// resolved configuration. Later commands (`status`, a worker given an index, a scheduler's
/// array task) read it, so they know the whole sweep without the experiment file, which may
/// have changed since. `<id>` is a hash of the run ids, so the same sweep always writes the
/// same file and a different one (other `--set`, `--steps`) another.
public struct SweepManifest: Codable, Equatable, Sendable {
    public static let formatName = "genlab-sweep"
    public static let currentVersion = 1

    /// One point of the sweep.
    public struct Point: Codable, Equatable, Sendable {
        public var index: Int
        public var runID: String
        /// The swept keys and their values (YAML text), in the sweep's order.
        public var overrides: [Entry]
        /// The resolved configuration (what the run file's `config_yaml` holds).
        public var configYAML: String
        /// The analyses to run after training (the experiment's `analysis` section), if any.
        public var analysisYAML: String?

        public init(index: Int, runID: String, overrides: [Entry], configYAML: String, analysisYAML: String? = nil) {
            self.index = index
            self.runID = runID
            self.overrides = overrides
            self.configYAML = configYAML
            self.analysisYAML = analysisYAML
        }

        enum CodingKeys: String, CodingKey {
            case index, runID = "run_id", overrides, configYAML = "config_yaml", analysisYAML = "analysis_yaml"
        }
    }

    /// A swept key and its value.
    public struct Entry: Codable, Equatable, Sendable {
        public var key: String
        public var value: String
    }

    public var format: String
    public var formatVersion: Int
    public var experiment: String
    /// The experiment file the sweep came from (absolute).
    public var experimentFile: String
    public var genlabVersion: String
    /// The keys the sweep sets, in order.
    public var sweptKeys: [String]
    public var points: [Point]
    /// The sweep's `prune` section (YAML), nil when it trains every point to the end.
    public var pruneYAML: String?

    enum CodingKeys: String, CodingKey {
        case format, formatVersion = "format_version", experiment, experimentFile = "experiment_file",
             genlabVersion = "genlab_version", sweptKeys = "swept_keys", points, pruneYAML = "prune_yaml"
    }

    /// The manifest of `points`, every point of one sweep of `experimentFile`, pruned as
    /// `pruneYAML` says (the experiment's `pruneYAML`).
    public init(experimentFile: String, points: [ExperimentPoint], pruneYAML: String? = nil) {
        format = SweepManifest.formatName
        formatVersion = SweepManifest.currentVersion
        experiment = points.first?.experiment.name ?? ""
        self.experimentFile = URL(fileURLWithPath: experimentFile).standardizedFileURL.path
        genlabVersion = GenLabVersion.current
        var keys: [String] = []
        for o in points.flatMap(\.overrides) where !keys.contains(o.key) { keys.append(o.key) }
        sweptKeys = keys
        self.pruneYAML = pruneYAML
        self.points = points.enumerated().map { index, point in
            Point(index: index, runID: point.runID,
                  overrides: point.overrides.map { Entry(key: $0.key, value: $0.value.compactText) },
                  configYAML: point.resolvedYAML, analysisYAML: point.experiment.analysis?.yamlText)
        }
    }

    /// Where the manifest of `points` goes.
    public static func path(results: String, points: [ExperimentPoint]) -> String {
        "\(results)/\(points.first?.experiment.name ?? "")/sweep-\(ExperimentPoint.identity(of: points)).json"
    }

    /// Writes the manifest to `path` atomically (creating its folder).
    public func write(to path: String) throws(RunError) {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw RunError(.io, "cannot create the results folder", path: folder)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try DurableFile.replace(path, with: Array(try encoder.encode(self)))
        } catch let error as HDF5Error {
            throw RunError(.io, error.message, path: path)
        } catch {
            throw RunError(.io, "cannot encode the sweep's definition: \(error)", path: path)
        }
    }

    /// Reads and checks the manifest at `path`: a file that is not one, or whose points do not
    /// give back their run ids, is an error naming it.
    public static func read(path: String) throws(RunError) -> SweepManifest {
        guard let bytes = PrivateFile.read(path, limit: 256 << 20) else {
            let reason = PrivateFile.irregularity(path).map { "it is \($0)" }
                ?? (FileManager.default.fileExists(atPath: path) ? "cannot read it, or it is over 256 MiB" : "no such file")
            throw RunError(.manifest, "cannot read the sweep's definition: \(reason)", path: path)
        }
        let data = Data(bytes)
        let manifest: SweepManifest
        do {
            manifest = try JSONDecoder().decode(SweepManifest.self, from: data)
        } catch {
            throw RunError(.manifest, "not a GenLab sweep definition (\(SweepManifest.describe(error)))", path: path)
        }
        guard manifest.format == formatName else {
            throw RunError(.manifest, "not a GenLab sweep definition (format '\(manifest.format)')", path: path)
        }
        guard manifest.formatVersion <= currentVersion else {
            throw RunError(.manifest, "written by a newer GenLab (format version \(manifest.formatVersion); this one reads \(currentVersion))", path: path)
        }
        guard isFolderName(manifest.experiment) else {
            throw RunError(.manifest, "the experiment's name '\(manifest.experiment.debugDescription.dropFirst().dropLast())' is not a folder name (damaged?)", path: path, place: "experiment")
        }
        for (i, point) in manifest.points.enumerated() {
            guard point.index == i else {
                throw RunError(.manifest, "point \(i) has index \(point.index) (damaged?)", path: path, place: "points[\(i)]")
            }
            guard isFolderName(point.runID) else {
                throw RunError(.manifest, "point \(i) has the run id '\(point.runID.debugDescription.dropFirst().dropLast())', which is not a folder name inside the results (damaged?)", path: path, place: "points[\(i)].run_id")
            }
        }
        return manifest
    }

    /// The point at `index`, rebuilt from its configuration and overrides; its run id must
    /// come out as written (so a damaged or hand-edited manifest cannot send a run elsewhere).
    public func point(at index: Int, path: String) throws(RunError) -> ExperimentPoint {
        guard points.indices.contains(index) else {
            throw RunError(.noSuchPoint, "the sweep has \(points.count) point\(points.count == 1 ? "" : "s") (indices 0–\(points.count - 1)); there is no point \(index)", path: path)
        }
        let stored = points[index]
        let point: ExperimentPoint
        do {
            point = try ExperimentPoint(resolvedYAML: stored.configYAML, analysisYAML: stored.analysisYAML,
                                        overrides: stored.overrides.map { ($0.key, $0.value) },
                                        file: "\(path):points[\(index)]")
        } catch {
            throw RunError(.manifest, "point \(index) does not parse: \(error.description)", path: path, place: "points[\(index)]")
        }
        guard point.runID == stored.runID, point.experiment.name == experiment else {
            throw RunError(.manifest, "point \(index) gives run id \(point.runID), not \(stored.runID) (damaged, or written by another GenLab?)", path: path, place: "points[\(index)]")
        }
        return point
    }

    /// The sweep's successive halving, for its points' runs, read from `prune_yaml` (nil
    /// when it has none); `path` is the manifest's.
    public func pruning(path: String) throws(RunError) -> PrunedSweep? {
        guard let pruneYAML else { return nil }
        let spec: PruneSpec
        do {
            spec = try PruneSpec.read(yaml: pruneYAML, file: "\(path):prune_yaml")
        } catch {
            throw RunError(.manifest, "its prune section does not parse: \(error.description)", path: path, place: "prune_yaml")
        }
        return PrunedSweep(spec: spec, table: RungTable.path(manifestPath: path), population: points.map(\.runID),
                           folder: (path as NSString).deletingLastPathComponent)
    }

    /// The manifests in `folder` (`sweep-*.json`), sorted.
    public static func find(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasPrefix("sweep-") && $0.hasSuffix(".json") }.sorted().map { "\(folder)/\($0)" }
    }

    /// Whether `name` (a run id or experiment name from a file) names a folder directly inside
    /// another: not empty, not `.` or `..`, no `/`, NUL or other control character.
    static func isFolderName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && name.utf8.count <= 255 && !name.contains("/")
            && !name.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "no '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted(let context): context.debugDescription
        default: "\(error)"
        }
    }
}
