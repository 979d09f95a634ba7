import ArgumentParser
import Foundation
import GenLabCore
import GenLabNN
import GenLabSpec
import GenLabTraining

/// `genlab bench`: training-step throughput of the reference models on random data.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure images/s and peak memory of full training steps (forward, backward, update).",
        discussion: """
        Each experiment file's model (first sweep point) trains on random inputs of its \
        dataset's shape and its batch size: warm-up steps first, then timed steps for at least \
        --seconds. Peak memory is the process's peak resident set size (VmHWM), reset before \
        each model.
        """
    )

    @Option(help: "Threads of matrix products (GenLab's blocks; OpenBLAS itself stays on one).")
    var threads = 1

    @Option(help: "Minimum timed duration per model, in seconds.")
    var seconds = 5.0

    @Option(help: "Warm-up steps per model, not timed.")
    var warmup = 2

    @Option(help: "Experiment files to benchmark.")
    var experiments: [String] = ["experiments/arena-conv-vae.yaml", "experiments/lab-dcgan.yaml"]

    @Option(help: "What the matrix products multiply: fp32 or bf16 (default: each file's train.precision).")
    var precision: Precision?

    @Flag(help: "Benchmark every file in the experiments/ folder.")
    var all = false

    @Option(help: "Also commit this many checkpoints of each model to a temporary run file, each with 64 recorded samples (random pixels), and print the first and last commit's time.")
    var checkpoints = 0

    @Flag(help: "Also time loading Fashion-MNIST (60,000 training + 10,000 test images) from the default folder, decoded and from the dataset cache, and drawing dSprites' images into training batches.")
    var data = false

    func validate() throws {
        try checkProcessorCount(threads, "--threads")
        guard seconds > 0, seconds <= 86_400 else { throw ValidationError("--seconds must be positive and at most 86400 (a day)") }
        guard (0...10_000).contains(warmup) else { throw ValidationError("--warmup must be between 0 and 10000 steps") }
        if precision == .bf16 { try PrecisionSpec.Choice.bf16.checkHere() }
        guard (0...100_000).contains(checkpoints) else { throw ValidationError("--checkpoints must be between 0 and 100000") }
    }

    func run() throws {
        BLAS.setThreads(threads)
        print("genlab bench\n" + BLASKernel.report + "\nConvolutions \(DirectConvolution.library); \(WinogradConvolution.report)\n" + Precision.bf16Report)
        if data {
            let cache = FileManager.default.temporaryDirectory.appendingPathComponent("genlab-bench-cache-\(getpid())").path
            defer { try? FileManager.default.removeItem(atPath: cache) }
            let (decoded, cached, images) = try TrainingBenchmark.dataLoading(cache: cache)
            print(String(format: "Fashion-MNIST load (%d images, gzip IDX): decoded into memory %.3f s, mapped from the dataset cache %.3f s (best of 3)", images, decoded, cached))
            print(String(format: "dSprites drawn into shuffled batches of 64: %.0f images/s", try TrainingBenchmark.dspritesDrawing()))
        }
        var files = experiments
        if all {
            files = ((try? FileManager.default.contentsOfDirectory(atPath: "experiments")) ?? [])
                .filter { $0.hasSuffix(".yaml") }.sorted().map { "experiments/\($0)" }
        }
        print("experiment".padding(toLength: 28, withPad: " ", startingAt: 0) + "  batch   steps   images/s   peak MiB  precision  GFLOP/s")
        var rates: [(name: String, precision: Precision, gflops: Double)] = []
        for file in files {
            StoragePool.shared.drain()
            ResidentMemory.resetPeak()
            let result = try TrainingBenchmark.measure(file, warmup: warmup, seconds: seconds, precision: precision)
            let peak = ResidentMemory.peakBytes().map { String(format: "%.0f", Double($0) / 1_048_576) } ?? "?"
            let name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            let gflops = result.flops / result.elapsed / 1e9
            rates.append((name, result.precision, gflops))
            print(name.padding(toLength: 28, withPad: " ", startingAt: 0)
                  + String(format: "  %5d %7d %10.1f", result.batch, result.steps, Double(result.steps * result.batch) / result.elapsed)
                  + String(repeating: " ", count: max(1, 11 - peak.count)) + peak
                  + "  " + result.precision.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0) + String(format: "%8.1f", gflops))
            if checkpoints > 0 {
                let timing = try TrainingBenchmark.checkpoints(checkpoints, of: result)
                print(String(format: "  checkpoints: first %.0f ms, last %.0f ms (after %d); run file %.1f MiB, records %.1f MiB",
                             timing.firstMilliseconds, timing.lastMilliseconds, checkpoints, timing.runFileMiB, timing.recordsMiB))
            }
        }
        // measured last: the large products' buffers would count in the models' peak memory
        var peaks: [Precision: Double] = [:]
        for precision in Precision.allCases where precision == .fp32 || Precision.hasNativeBF16 || rates.contains(where: { $0.precision == precision }) {
            peaks[precision] = TrainingBenchmark.peak(precision)
        }
        print("Measured peak (a 2048³ product, \(BLAS.threads) thread\(BLAS.threads == 1 ? "" : "s")): "
              + Precision.allCases.compactMap { p in peaks[p].map { String(format: "%@ %.0f GFLOP/s", p.rawValue, $0) } }.joined(separator: ", ")
              + "; of it: " + rates.map { String(format: "%@ %.0f%%", $0.name, 100 * $0.gflops / peaks[$0.precision]!) }.joined(separator: ", "))
    }
}
