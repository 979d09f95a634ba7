import Foundation
import GenLabNN

/// One tensor of the PyTorch reference file.
public struct GoldenTensor: Decodable, Sendable {
    public let shape: [Int]
    public let data: [Double]

    enum CodingKeys: String, CodingKey {
        case shape, data, float32, pattern
    }

    /// Values a generator and a test both compute instead of storing them: value i is
    /// `offset + scale · (k − 32768) / 32768` in float32 arithmetic, with k the top 16 bits of
    /// murmur3's 32-bit finaliser of `(i · 2654435761 + seed · 40503) mod 2³²` (the plain
    /// multiplicative hash is a Weyl sequence: too regular for convolution kernels). The scale is a
    /// power of two, so only the sum rounds (once, fused or not), and Python and Swift agree
    /// bit for bit.
    public struct Pattern: Decodable, Sendable {
        public let seed: Int
        public let scale: Float
        public let offset: Float

        /// The first `count` values.
        public func values(count: Int) -> [Double] {
            (0..<count).map { i in
                var hash = UInt32(truncatingIfNeeded: UInt64(i) &* 2_654_435_761 &+ UInt64(seed) &* 40503)
                hash ^= hash >> 16
                hash &*= 0x85EB_CA6B
                hash ^= hash >> 13
                hash &*= 0xC2B2_AE35
                hash ^= hash >> 16
                let unit = Float(Int(hash >> 16) - 32768) / 32768
                return Double(offset + scale * unit)
            }
        }
    }

    public init(shape: [Int], data: [Double]) {
        self.shape = shape
        self.data = data
    }

    /// {"shape", "data": [numbers]}, {"shape", "float32": base64 of the little-endian
    /// float32 values} (the large fixtures, pytorch-resnet-*.json), or {"shape", "pattern":
    /// {"seed", "scale", "offset"}} (initial parameters, see `Pattern`).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        shape = try container.decode([Int].self, forKey: .shape)
        if let encoded = try container.decodeIfPresent(String.self, forKey: .float32) {
            guard let bytes = Data(base64Encoded: encoded), bytes.count % 4 == 0 else {
                throw DecodingError.dataCorruptedError(forKey: .float32, in: container, debugDescription: "not base64 of float32 values")
            }
            let words = [UInt8](bytes)
            data = stride(from: 0, to: words.count, by: 4).map { (i: Int) -> Double in
                var bits = UInt32(words[i + 3])
                for k in (0..<3).reversed() { bits = bits << 8 | UInt32(words[i + k]) }
                return Double(Float(bitPattern: bits))
            }
        } else if let pattern = try container.decodeIfPresent(Pattern.self, forKey: .pattern) {
            data = pattern.values(count: shape.reduce(1, *))
        } else {
            data = try container.decode([Double].self, forKey: .data)
        }
    }

    /// As a GenLab tensor.
    public var tensor: Tensor {
        let t = Tensor(zeros: shape)
        for (i, v) in data.enumerated() { t[i] = Float(v) }
        return t
    }

    /// The first value (for scalars).
    public var scalar: Double { data[0] }
}

/// One case of the PyTorch reference file; which fields are present depends on its kind.
public struct GoldenCase: Decodable, Sendable {
    public let name: String
    public let module: String
    /// The layer as an experiment file writes it (pytorch-layers.json).
    public let yaml: String?
    public let train: Bool?
    public let params: [String: GoldenTensor]?
    public let input: GoldenTensor?
    public let target: GoldenTensor?
    public let output: GoldenTensor?
    public let gradOutput: GoldenTensor?
    public let gradInput: GoldenTensor?
    public let gradParams: [String: GoldenTensor]?
    public let stateAfter: [String: GoldenTensor]?
    public let mu: GoldenTensor?
    public let logsigma: GoldenTensor?
    public let gradMu: GoldenTensor?
    public let gradLogsigma: GoldenTensor?
    public let param: GoldenTensor?
    public let grads: [GoldenTensor]?
    public let paramsAfterEachStep: [GoldenTensor]?
    public let weightOrig: GoldenTensor?
    public let bias: GoldenTensor?
    public let uBefore: GoldenTensor?
    public let vBefore: GoldenTensor?
    public let gradWeightOrig: GoldenTensor?
    public let uAfter: GoldenTensor?
    public let sigmaWeight: GoldenTensor?
    public let beta: Double?
    public let eps: GoldenTensor?
    public let outputReconstruction: GoldenTensor?
    public let lossRec: GoldenTensor?
    public let lossKl: GoldenTensor?
    public let lossTotal: GoldenTensor?
    public let paramsAfterStep: [String: GoldenTensor]?

    enum CodingKeys: String, CodingKey {
        case name, module, yaml, train, params, input, target, output
        case gradOutput = "grad_output", gradInput = "grad_input", gradParams = "grad_params"
        case stateAfter = "state_after", mu, logsigma, gradMu = "grad_mu", gradLogsigma = "grad_logsigma"
        case param, grads, paramsAfterEachStep = "params_after_each_step"
        case weightOrig = "weight_orig", bias, uBefore = "u_before", vBefore = "v_before"
        case gradWeightOrig = "grad_weight_orig", uAfter = "u_after", sigmaWeight = "sigma_weight"
        case beta, eps, outputReconstruction = "output_reconstruction"
        case lossRec = "loss_rec", lossKl = "loss_kl", lossTotal = "loss_total"
        case paramsAfterStep = "params_after_step"
    }
}

/// The PyTorch reference file copied into `Tests/Fixtures` (see the README there).
public enum Golden {
    struct File: Decodable {
        let cases: [GoldenCase]
    }

    /// Where the fixtures live in the source tree.
    public static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The cases of one reference file in the fixtures folder (none when it cannot be read).
    static func cases(in file: String) -> [GoldenCase] {
        let url = folder.appendingPathComponent(file)
        do {
            return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
        } catch {
            print("cannot read \(url.path): \(error)")
            return []
        }
    }

    /// Every case of pytorch-reference.json, decoded once.
    public static let cases = cases(in: "pytorch-reference.json")

    /// The wide convolution cases of pytorch-convolutions.json
    /// (`generate_convolution_reference.py`), for the direct kernels.
    public static let convolutionCases = cases(in: "pytorch-convolutions.json")

    /// The cases of the layer kinds added after the notebooks, pytorch-layers.json
    /// (`generate_layer_reference.py`), each with its YAML.
    public static let layerKindCases = cases(in: "pytorch-layers.json")

    /// Layers under PyTorch's CPU autocast to bfloat16, pytorch-bf16.json
    /// (`generate_bf16_reference.py`).
    public static let bf16Cases = cases(in: "pytorch-bf16.json")

    /// The case called `name`, in any of the three files.
    public static func named(_ name: String) -> GoldenCase? {
        cases.first { $0.name == name } ?? convolutionCases.first { $0.name == name } ?? layerKindCases.first { $0.name == name }
    }

    /// The absolute tolerance of every golden comparison, for tensors whose largest value is at
    /// most 1; a tensor of larger values scales it by its largest |value| (a whole network's
    /// output of values up to 19 differs from PyTorch's by rounding of its size wherever
    /// large terms cancel: Winograd's kernels, 2e-5 at elements near 0).
    public static let absoluteTolerance = 1e-5
    /// The relative tolerance of every golden comparison.
    public static let relativeTolerance = 1e-4

    /// The elements where `actual` differs from `expected` by more than
    /// 1e-5·max(1, max|expected|) + 1e-4·|expected|, as readable lines (at most five), or a
    /// shape mismatch.
    public static func mismatches(_ actual: [Float], _ expected: GoldenTensor, shape: [Int]? = nil) -> [String] {
        if let shape, shape != expected.shape, !(expected.shape.isEmpty && shape == [1]) {
            return ["shape \(shape) ≠ expected \(expected.shape)"]
        }
        guard actual.count == expected.data.count else {
            return ["\(actual.count) values ≠ expected \(expected.data.count)"]
        }
        let absolute = absoluteTolerance * max(1, expected.data.map(abs).max() ?? 0)
        var lines: [String] = []
        for (i, (a, e)) in zip(actual, expected.data).enumerated()
        where !(abs(Double(a) - e) <= absolute + relativeTolerance * abs(e)) {
            if lines.count < 5 { lines.append("[\(i)] \(a) ≠ \(e)") }
        }
        return lines
    }

    /// Copies a reference tensor into a parameter or buffer, checking the shape.
    public static func load(_ value: GoldenTensor, into tensor: Tensor) -> Bool {
        guard value.shape == tensor.shape else { return false }
        for (i, v) in value.data.enumerated() { tensor[i] = Float(v) }
        return true
    }
}
