import ArgumentParser
import GenLabAnalysis
import GenLabNN
import GenLabResults
import GenLabStore
import GenLabSweeps
import GenLabTraining

/// `genlab version`: GenLab's version and the native libraries it runs on.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print GenLab's version, the CPU's vector features, the OpenBLAS kernels and oneDNN's convolution kernels in use, what bf16 runs on, and the HDF5 version."
    )

    @Flag(help: "Print only the OpenBLAS kernel family in use (a value for OPENBLAS_CORETYPE).")
    var coretype = false

    func run() {
        if coretype {
            print(BLAS.coreName)
            return
        }
        print("genlab \(GenLabVersion.current)")
        print(BLASKernel.report)
        print("Convolutions \(DirectConvolution.library); \(WinogradConvolution.report)")
        print(Precision.bf16Report)
        print("HDF5 \(HDF5Library.version)")
    }
}
