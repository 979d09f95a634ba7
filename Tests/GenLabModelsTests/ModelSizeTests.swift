import GenLabNN
import Foundation
import GenLabModels
import GenLabSpec
import GenLabTestSupport
import Testing

/// Models that cannot be trained in this machine's memory are errors naming the layer and
/// the sizes, found before their weights are allocated; checking a large model that fits
/// allocates nothing.
@Suite struct ModelSizeTests {
    static func text(hidden: Int, batch: Int = 64) -> String {
        """
        name: big
        dataset: {name: fashion-mnist}
        model:
          kind: ae
          latent: 4
          encoder:
            - flatten
            - linear: {out: \(hidden)}
            - relu
          decoder: mirror
        train:
          batch_size: \(batch)
        """
    }

    static func experiment(hidden: Int, batch: Int = 64) throws(SpecError) -> Experiment {
        try Experiment.parse(text(hidden: hidden, batch: batch), file: "big.yaml")
    }

    /// The hidden width whose two 784 × width layers alone need `fraction` of the memory.
    static func width(usingMemory fraction: Double) -> Int {
        let bytes = Double(ProcessInfo.processInfo.physicalMemory) * fraction
        return min(Int(bytes / (16.0 * 2 * 785)), maxLayerSize)
    }

    @Test func tooManyParametersNameTheLayer() throws {
        // the first linear layer alone needs twice the memory
        let hidden = ModelSizeTests.width(usingMemory: 4)
        guard hidden < maxLayerSize else {
            print("tooManyParametersNameTheLayer skipped: this machine's memory holds the widest layer GenLab allows")
            return
        }
        do throws(SpecError) {
            _ = try BuiltModel(try ModelSizeTests.experiment(hidden: hidden), initializing: false)
            Issue.record("a model of twice this machine's memory was built")
        } catch {
            #expect(error.message.contains("parameters") && error.message.contains("GenLab may use"), "\(error.message)")
            #expect(error.message.contains("layer"), "\(error.message)")
            #expect(error.message.hasPrefix("model.encoder[1] (encoder layer 1)"), "\(error.message)")
            #expect(error.location?.line == 8, "\(error.description)")
        }
    }

    /// About 543 KB of outputs and gradients per image at width 16,384: a batch four times
    /// what fits in memory is refused, naming the widest layer and pointing at batch_size.
    @Test func tooLargeActivationsNameTheLargestLayer() throws {
        let batch = Int(4 * Double(ProcessInfo.processInfo.physicalMemory) / 543_000)
        guard batch <= 1_000_000 else {
            print("tooLargeActivationsNameTheLargestLayer skipped: this machine fits a million images of the test model")
            return
        }
        do throws(SpecError) {
            _ = try BuiltModel(try ModelSizeTests.experiment(hidden: 16_384, batch: batch), initializing: false)
            Issue.record("activations of four times this machine's memory were accepted")
        } catch {
            #expect(error.message.contains("training needs about"), "\(error.message)")
            #expect(error.message.contains("the largest") && error.message.contains("encoder layer 1, Linear(in_features=784, out_features=16384"), "\(error.message)")
            #expect(error.location?.line == 12, "the error points at train.batch_size: \(error.description)")
        }
    }

    /// `genlab validate` of a model needing about a quarter of the memory to train keeps its
    /// resident memory small (the weights are never written).
    @Test func checkingALargeModelAllocatesNothing() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else {
            print("checkingALargeModelAllocatesNothing skipped: no /usr/bin/time")
            return
        }
        let hidden = ModelSizeTests.width(usingMemory: 0.25)
        let folder = try TestFolder.make("big")
        let file = folder.appendingPathComponent("big.yaml").path
        try ModelSizeTests.text(hidden: hidden).write(toFile: file, atomically: true, encoding: .utf8)
        let genlab = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("genlab").path
        #expect(FileManager.default.isExecutableFile(atPath: genlab), "scripts/test.sh builds genlab before the tests")
        let result = try Repository.run("/usr/bin/time", ["-f", "peak %M KiB", genlab, "plan", file])
        #expect(result.status == 0, "\(result.output)")
        let peak = result.output.split(separator: "\n").last { $0.hasPrefix("peak ") }.flatMap { Int($0.split(separator: " ")[1]) }
        let kib = try #require(peak, "\(result.output)")
        #expect(kib < 300_000, "plan of a \(hidden)-wide model used \(kib) KiB")
    }
}
