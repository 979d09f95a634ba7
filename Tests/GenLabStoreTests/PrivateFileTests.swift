import Foundation
import GenLabCore
import GenLabTestSupport
import Glibc
import Testing

/// The files GenLab writes in shared folders: `create` never opens what is already there (a
/// planted link, another writer's file), `openRegular` never follows a link, waits on a FIFO
/// or writes a file that has another name; the victim behind each stays as it was.
@Suite struct PrivateFileTests {
    static func victim() throws -> (folder: String, path: String) {
        let folder = try TestFolder.make("private").path
        let path = "\(folder)/precious.txt"
        try "precious\n".write(toFile: path, atomically: false, encoding: .utf8)
        return (folder, path)
    }

    @Test func createRefusesWhatIsAlreadyThere() throws {
        let (folder, victim) = try PrivateFileTests.victim()
        try FileManager.default.createSymbolicLink(atPath: "\(folder)/link.tmp", withDestinationPath: victim)
        try FileManager.default.createSymbolicLink(atPath: "\(folder)/dangling.tmp", withDestinationPath: "\(folder)/new.txt")
        for name in ["link.tmp", "dangling.tmp", "precious.txt"] {
            let descriptor = PrivateFile.create("\(folder)/\(name)")
            if descriptor >= 0 { _ = write(descriptor, "overwritten", 11); close(descriptor) }
            #expect(descriptor < 0, "\(name) was opened")
        }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/new.txt"))
        let fresh = PrivateFile.create("\(folder)/fresh.tmp")
        #expect(fresh >= 0)
        close(fresh)
    }

    @Test func openRegularRefusesLinksFIFOsAndSecondNames() throws {
        let (folder, victim) = try PrivateFileTests.victim()
        try FileManager.default.createSymbolicLink(atPath: "\(folder)/run.lock", withDestinationPath: victim)
        #expect(mkfifo("\(folder)/run.log", 0o644) == 0)
        #expect(link(victim, "\(folder)/hard") == 0)
        for (name, flags) in [("run.lock", O_RDWR | O_CREAT), ("run.lock", O_RDONLY), ("run.log", O_WRONLY | O_APPEND | O_CREAT),
                              ("run.log", O_RDONLY), ("hard", O_WRONLY | O_TRUNC)] {
            let descriptor = PrivateFile.openRegular("\(folder)/\(name)", flags)
            if descriptor >= 0 { close(descriptor) }
            #expect(descriptor < 0, "\(name) was opened with flags \(flags)")
        }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        let readable = PrivateFile.openRegular("\(folder)/hard", O_RDONLY)
        #expect(readable >= 0, "a file with two names is still read")
        close(readable)
    }
}
