import Foundation
import GenLabCore
import Glibc
import Testing

/// A child started by `ChildProcess` gets standard input, output and error, nothing else of
/// the parent's open files (an HDF5 file's lock or another child's pipe would go with them).
@Suite struct ChildProcessTests {
    @Test func aChildInheritsOnlyItsStandardDescriptors() throws {
        let open = Glibc.open("/dev/null", O_RDONLY)  // without O_CLOEXEC, as HDF5 opens its files
        defer { close(open) }
        #expect(open >= 3)
        let run = ChildProcess.run("sh", ["-c", "ls /proc/$$/fd"])
        #expect(run.status == 0)
        let descriptors = run.output.split(separator: "\n").compactMap { Int($0) }.sorted()
        #expect(descriptors == [0, 1, 2], "\(run.output)")
    }
}
