import Foundation
import GenLabAnalysis
import GenLabReport
import GenLabResults
import GenLabStore
import GenLabSweeps
import GenLabTestSupport
import GenLabTraining
import Testing

/// Memory limits below the machine's (`ulimit -v`): the size check sees them, and an
/// allocation that fails anyway ends with a message and exit 1, not a trap.
@Suite struct MemoryLimitTests {
    /// Two steps of the ARENA VAE with batches of `batch` under `ulimit -v` of `kibibytes`,
    /// killed after 60 s (a hang shows as status 137).
    static func run(batch: Int, kibibytes: Int = 1_000_000) throws -> (status: Int32, output: String) {
        let results = try RunHarness.folder("ulimit")
        let command = ([RunHarness.genlab, "run", RunHarness.experimentFile("arena-conv-vae"), "--steps", "2", "--set", "train.batch_size=\(batch)",
                        "--set", "dataset.subset=12000", "--results", results, "--quiet"]).map { "'\($0)'" }.joined(separator: " ")
        return try Repository.run("timeout", ["-s", "KILL", "60", "sh", "-c", "ulimit -v \(kibibytes); exec \(command)"])
    }

    /// 1 GB of address space: 100,000 images of the ARENA VAE (17 GiB) are refused before
    /// anything is allocated, naming the limit.
    @Test func theCheckSeesTheLimit() throws {
        let result = try MemoryLimitTests.run(batch: 100_000)
        #expect(result.status == 1)
        #expect(result.output.contains("training needs about") && result.output.contains("GenLab may use 976.6 MiB here"), "\(result.output)")
    }

    /// 850 MiB of address space: 4,500 images pass the estimate (800 MiB) but not the real
    /// allocations (a layer's tensor or a convolution's workspace, whichever fails first),
    /// with the address space the libraries take (about 1,040 MiB at the peak without a
    /// limit, `VmPeak`). (Under 2 GB, and since gradients are released once read under 1 GB
    /// with 5,000 images on a loaded machine, the largest batch the estimate allows trains:
    /// the estimate counts every layer's output and gradient, and the layers keep fewer.)
    @Test func failedAllocationIsAMessage() throws {
        let result = try MemoryLimitTests.run(batch: 4_500, kibibytes: 870_400)
        #expect(result.status == 1)
        #expect(result.output.contains("genlab: out of memory "), "\(result.output)")
        #expect(!result.output.contains("crashed") && !result.output.contains("Fatal error"), "\(result.output)")
    }

    /// 700 MB of address space, little more than the libraries take: OpenBLAS 0.3.21 retried
    /// its failed 128 MiB buffer forever the first time two products ran at once (a hang,
    /// deaf to SIGTERM), and oneDNN crashed (SIGSEGV) when it could not map its generated
    /// code. Both now end with the out-of-memory message and exit 1, whichever comes first.
    /// Batches of 200 sit at the edge: glibc reserves 64 MiB of address space for each thread
    /// that allocates, as the threads happen to run, so they train on some runs; they must then
    /// end with exit 0, never hang or crash. Batches of 2,000 and 3,800 never fit.
    @Test(arguments: [(200, false), (2_000, true), (3_800, true)])
    func tightLimitsEndInAMessage(batch: Int, neverFits: Bool) throws {
        let result = try MemoryLimitTests.run(batch: batch, kibibytes: 700_000)
        let message = result.status == 1 && result.output.contains("genlab: out of memory ")
        #expect(message || (!neverFits && result.status == 0), "status \(result.status): \(result.output)")
    }
}
