import Foundation
import GenLabSpec
import GenLabTensor
import GenLabTestSupport
import Testing

/// 300 steps of the ARENA conv VAE and 300 iterations of the lab DCGAN (a quarter of its
/// widths), both at batch 64 on Fashion-MNIST, trained in bf16 by GenLab, against the same
/// YAML trained by PyTorch under autocast with four seeds (`Fixtures/bf16-curves.json`, from
/// `generate_bf16_curves.py`): each loss's mean over each window of 25 steps must lie in the
/// band the seeds span, widened by half its width on each side (GenLab's seed is one more
/// draw of the same initialisation, order and noise, which four draws need not bracket), or
/// by 1 % of the band's top where the seeds nearly agree. Two seeds, as first tried, spanned
/// less than the DCGAN's own seed-to-seed spread: three of its 36 windows fell outside twice
/// their band, as GenLab's other seeds and its fp32 run do too.
@Suite(.enabled(if: Precision.hasNativeBF16, "train.precision: bf16 needs AMX or AVX512-BF16"))
struct BF16CurveTests {
    struct Curves: Decodable {
        struct Model: Decodable {
            let yaml: String
            let seeds: [[String: [Double]]]
        }
        let window: Int
        let vae: Model
        let gan: Model
    }

    static let curves: Curves? = {
        let url = Golden.folder.appendingPathComponent("bf16-curves.json")
        do { return try JSONDecoder().decode(Curves.self, from: Data(contentsOf: url)) } catch {
            print("cannot read \(url.path): \(error)")
            return nil
        }
    }()

    @Test(arguments: ["vae", "gan"]) func lossesStayInAutocastsBand(_ name: String) throws {
        let curves = try #require(BF16CurveTests.curves)
        let model = name == "vae" ? curves.vae : curves.gan
        let point = try Experiment.parse(model.yaml, file: "\(name).yaml").points()[0]
        #expect(point.experiment.train.precision.choice == .bf16)
        let contents = try RunHarness.run(point, results: try RunHarness.folder("bf16-curve-\(name)")).contents
        #expect(contents.metadata.precision == "bf16")
        #expect(model.seeds.count == 4)
        for loss in model.seeds[0].keys.sorted() {
            let seeds = try model.seeds.map { try #require($0[loss]) }
            let values = try #require(contents.history.columns[loss], "no history column \(loss)")
            #expect(values.count == 300)
            for window in seeds[0].indices {
                let steps = values[(window * curves.window)..<min((window + 1) * curves.window, values.count)]
                let mean = steps.reduce(0.0) { $0 + Double($1) } / Double(steps.count)
                let theirs = seeds.map { $0[window] }
                let low = theirs.min()!, high = theirs.max()!, margin = max((high - low) / 2, 0.01 * high)
                #expect(mean >= low - margin && mean <= high + margin,
                        "\(name) \(loss), steps \(window * curves.window + 1)–\((window + 1) * curves.window): GenLab \(mean), PyTorch's seeds \(theirs)")
            }
        }
    }
}
