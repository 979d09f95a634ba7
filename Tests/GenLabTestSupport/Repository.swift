import Foundation
import GenLabCore

/// Paths in the source tree, for tests that read the project's own files.
public enum Repository {
    /// The package's root folder.
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The files with extension `ext` in folder `path` (relative to the root), sorted.
    public static func files(in path: String, ext: String) -> [URL] {
        let folder = root.appendingPathComponent(path)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".\(ext)") }.sorted().map { folder.appendingPathComponent($0) }
    }

    /// Runs a program and returns its exit status and combined output (`ChildProcess.run`:
    /// waited for with `waitpid`, started with no signal blocked).
    public static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        ChildProcess.run(executable, arguments)
    }
}
