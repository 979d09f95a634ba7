import Foundation
import GenLabAnalysis
import GenLabReport
import GenLabResults
import GenLabStore
import GenLabSweeps
import GenLabTestSupport
import GenLabTraining
import Glibc
import Testing

/// The evaluation classifier's cache (`$GENLAB_CACHE`) is a shared folder too: a cached file
/// that is damaged, foreign, a FIFO or a link is an error naming it (with `train: false`, so
/// no classifier is trained), never a hang, a trap or weights read from elsewhere.
@Suite struct HostileClassifierCacheTests {
    /// A hostile cache file, made at the cache's path, and what the error says.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var make: @Sendable (_ path: String) throws -> Void
        var message: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "text", make: { try "not hdf5".write(toFile: $0, atomically: false, encoding: .utf8) }, message: "not an HDF5 file"),
        Case(name: "fifo", make: { _ = mkfifo($0, 0o644) }, message: "FIFO"),
        Case(name: "link", make: { path in
            let elsewhere = path + ".elsewhere"
            try ArrayFile.write(path: elsewhere, arrays: [], attributes: [])
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: elsewhere)
        }, message: "symbolic link"),
        Case(name: "no-weights", make: { try ArrayFile.write(path: $0, arrays: [], attributes: []) }, message: "the cached classifier has no"),
        Case(name: "wrong-shape", make: { path in
            try ArrayFile.write(path: path, arrays: [StoredArray(name: "0.weight", shape: [1], floats: [0])], attributes: [])
        }, message: "the cached classifier has no '0.weight'"),
        Case(name: "claims-terabytes", make: { path in
            let python = try Repository.run("python3", ["-c", """
                import sys, h5py
                with h5py.File(sys.argv[1], "w") as f:
                    f.create_dataset("0.weight", shape=(2**20, 2**20), dtype="float32", chunks=(64, 64))
                """, path])
            #expect(python.status == 0, "\(python.output)")
        }, message: "claims a shape of [1048576, 1048576]"),
    ]

    @Test(arguments: cases)
    func hostileCacheFileIsAnErrorNamingIt(_ hostile: Case) throws {
        let cache = try TestFolder.make("hostile-cache").path
        let spec = try GeneratorScoreTests.fashion
        let path = TrainedClassifier.path(for: TrainedClassifier.pixelSpec(spec), seed: 0, epochs: TrainedClassifier.defaultEpochs, cache: cache)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try hostile.make(path)
        let error = try #require(throws: RunError.self) {
            try TrainedClassifier.load(spec, datasets: DatasetCache(), cache: cache, train: false)
        }
        #expect(error.path == path && error.description.contains(hostile.message), "\(error.description)")
    }
}
