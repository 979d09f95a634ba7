import Foundation
import GenLabTensor
import GenLabTestSupport
import Testing

/// Files the user cannot read are reported as such (root reads everything, so `genlab` runs
/// as the unprivileged user `nobody` here; skipped where that is not possible).
@Suite struct PermissionTests {
    /// Runs genlab as `nobody`, or nil when this process cannot switch users.
    static func asNobody(_ arguments: [String]) throws -> (status: Int32, output: String)? {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") else {
            print("PermissionTests skipped: needs root and runuser to run genlab as nobody")
            return nil
        }
        let command = ([RunHarness.genlab] + arguments).map { "'\($0)'" }.joined(separator: " ")
        return try Repository.run("/usr/sbin/runuser", ["-u", "nobody", "--", "sh", "-c", command])
    }

    /// A folder nobody can enter and read, holding `files` (created as root).
    static func folder() throws -> String {
        let folder = try TestFolder.make("perm").path
        var path = folder
        while path != "/" {
            chmod(path, 0o755)
            path = (path as NSString).deletingLastPathComponent
            if path == FileManager.default.temporaryDirectory.path { break }
        }
        return folder
    }

    @Test func unreadableExperimentFile() throws {
        let folder = try PermissionTests.folder()
        let file = "\(folder)/locked.yaml"
        try FileManager.default.copyItem(atPath: RunHarness.experimentFile("quickstart"), toPath: file)
        chmod(file, 0o000)
        guard let result = try PermissionTests.asNobody(["validate", file]) else { return }
        #expect(result.status == 1)
        #expect(result.output.contains("\(file):1:1: cannot open the file: Permission denied"), "\(result.output)")
    }

    @Test func unreadableRunFile() throws {
        let folder = try PermissionTests.folder()
        let file = "\(folder)/run.h5"
        try Data("not read".utf8).write(to: URL(fileURLWithPath: file))
        chmod(file, 0o000)
        guard let result = try PermissionTests.asNobody(["inspect", file]) else { return }
        #expect(result.status == 1)
        #expect(result.output.contains("\(file): cannot open the file: Permission denied"), "\(result.output)")
    }

    /// An image folder whose second class cannot be read is an error, not a dataset of one class.
    @Test func unreadableClassFolder() throws {
        let folder = try PermissionTests.folder()
        let faces = try RunHarness.tinyFaces(perClass: 2)
        try FileManager.default.moveItem(atPath: faces, toPath: "\(folder)/faces")
        try FileManager.default.createDirectory(atPath: "\(folder)/results", withIntermediateDirectories: true)
        chmod("\(folder)/results", 0o777)
        for path in ["\(folder)/faces", "\(folder)/faces/a"] + ["0.png", "1.png"].map({ "\(folder)/faces/a/\($0)" }) {
            chmod(path, 0o755)
        }
        chmod("\(folder)/faces/b", 0o000)
        guard let result = try PermissionTests.asNobody(["run", RunHarness.experimentFile("celeba-dcgan"), "--steps", "1",
                                                         "--set", "dataset.path=\(folder)/faces", "--results", "\(folder)/results"]) else { return }
        #expect(result.status == 1)
        #expect(result.output.contains("\(folder)/faces/b: cannot read the class folder: Permission denied"), "\(result.output)")
    }

    /// `genlab version` with no OPENBLAS_CORETYPE runs kernels of the best tier this CPU's
    /// instruction set supports (re-executing itself when OpenBLAS's own choice falls short).
    @Test func genlabRunsTheBestKernelTier() throws {
        let result = try Repository.run("env", ["-u", "OPENBLAS_CORETYPE", RunHarness.genlab, "version", "--coretype"])
        #expect(result.status == 0)
        let family = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(BLASKernel.tier(ofCoreName: family) == BLASKernel.tier(ofCoreName: BLASKernel.best(for: .current)), "\(family)")
    }
}
