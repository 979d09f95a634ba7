import ArgumentParser
import Foundation
import GenLabAnalysis
import GenLabReport
import GenLabResults
import GenLabSpec
import GenLabSweeps
import GenLabTraining

/// `genlab analyze RUN_FILE_OR_DIR`: analyses of trained runs, from their final weights.
struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Analyse trained runs from their final weights: pictures in analysis/ beside each run file, numbers and arrays in its /analysis/<name>/.",
        discussion: """
        Analyses: \(AnalysisCatalog.all.map { "\($0.name) (\($0.parameterNames.joined(separator: ", ")))" }.joined(separator: "; ")). \
        Without --only, reconstructions (autoencoders) and samples. Given a folder, every run.h5 in it and its subfolders.
        """
    )

    @Argument(help: "A run file (run.h5), or a results folder.")
    var target: String

    @Option(help: "The analyses to run, comma-separated (default: those that apply to the model).")
    var only: String?

    @Option(name: .customLong("set"), help: "A parameter of an analysis, e.g. --set reconstructions.count=16 (repeatable).")
    var parameters: [String] = []

    func run() throws {
        let (names, parameters) = try chosen()
        var isFolder: ObjCBool = false
        let files = FileManager.default.fileExists(atPath: target, isDirectory: &isFolder) && isFolder.boolValue
            ? runFiles(in: target) : [target]
        guard !files.isEmpty else { throw RunError(.analysis, "no run files (run.h5) here", path: target) }
        let datasets = DatasetCache()
        var failed = 0
        for file in files {
            do {
                let done = try AnalysisRunner.run(names, parameters: parameters, on: file, datasets: datasets)
                print("\(file): \(done.joined(separator: ", "))")
            } catch {
                // one run file that cannot be analysed does not stop the others
                guard files.count > 1 else { throw error }
                printError(error.description)
                failed += 1
            }
        }
        if failed > 0 { throw ExitCode(1) }
    }

    /// The analyses named by --only (nil: each run's defaults) and the parameters --set gives
    /// each, checked here (names, keys, values) before any run file is read.
    private func chosen() throws -> (names: [String]?, parameters: [String: YAMLNode]) {
        let names = only.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        var grouped: [String: [Override]] = [:]
        for text in parameters {
            let o = try Override.commandLine(text)
            grouped[String(o.key.split(separator: ".")[0]), default: []].append(o)
        }
        var result: [String: YAMLNode] = [:]
        for (name, sets) in grouped {
            guard sets.allSatisfy({ $0.key.contains(".") }) else {
                throw SpecError(.invalidValue, "'--set' of an analysis takes analysis.parameter=value, e.g. reconstructions.count=16", at: sets[0].keyLocation)
            }
            if let names, !names.contains(name) {
                throw SpecError(.invalidValue, "'\(sets[0].key)' sets a parameter of an analysis that --only does not run", at: sets[0].keyLocation)
            }
            result[name] = .mapping(sets.map { YAMLPair(key: String($0.key.dropFirst(name.count + 1)), keyLocation: $0.keyLocation, value: $0.value) },
                                    sets[0].keyLocation)
        }
        for name in (names ?? []) + result.keys.sorted() {
            _ = try AnalysisCatalog.make(name, parameters: result[name], at: result[name]?.location
                                         ?? SourceLocation(file: "--only \(only ?? "")", line: 1, column: 1))
        }
        return (names, result)
    }

    /// Every run.h5 in `folder` and below (three levels), sorted.
    private func runFiles(in folder: String) -> [String] {
        let paths = (FileManager.default.subpaths(atPath: folder) ?? []).filter {
            $0.hasSuffix("run.h5") && ($0 == "run.h5" || $0.hasSuffix("/run.h5")) && $0.split(separator: "/").count <= 3
        }
        return paths.sorted().map { "\(folder)/\($0)" }
    }
}
