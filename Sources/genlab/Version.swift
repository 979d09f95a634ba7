import ArgumentParser
import GenLabNN
import GenLabRunner
import GenLabStore

/// `genlab version`: GenLab's version and the native libraries it runs on.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print GenLab's version and its native libraries.")

    func run() {
        print("genlab \(GenLabVersion.current)")
        print("OpenBLAS core \(BLAS.coreName), \(BLAS.threads) thread(s)")
        print("HDF5 \(HDF5Library.version)")
    }
}
