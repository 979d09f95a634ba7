import Foundation

/// Temporary folders for tests, all below one folder per test process that is deleted when
/// the process exits (however many tests created folders in it).
public enum TestFolder {
    /// `<tmp>/genlab-tests-<pid>`, removed at exit.
    public static let root: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("genlab-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TestFolder.root) }
        return url
    }()

    /// A new empty folder named after `name`.
    public static func make(_ name: String) throws -> URL {
        let url = root.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
