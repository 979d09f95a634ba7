/// `torch.nn.Upsample(scale_factor=s, mode=…)` by a whole factor: nearest (each pixel
/// repeated s×s) or bilinear with align_corners=False (PyTorch's half-pixel centres).
public final class Upsample: ParameterFreeLayer, OwnsItsResults {
    public enum Mode: String, Sendable, CaseIterable {
        case nearest, bilinear
    }

    public let scale: Int
    public let mode: Mode
    public var isTraining = true
    public var typeName: String { "Upsample" }
    private let output = Tensor(zeros: [0]), gradInput = Tensor(zeros: [0])
    private var inputShape: [Int]?
    lazy var twin = Upsample(scale: scale, mode: mode)

    public init(scale: Int, mode: Mode) {
        self.scale = scale
        self.mode = mode
    }

    public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
        guard inputShape.count == 4 else { throw ShapeError("Upsample expects (N, C, H, W) inputs but receives \(inputShape.shapeDescription)") }
        return [inputShape[0], inputShape[1], inputShape[2] * scale, inputShape[3] * scale]
    }

    /// The two source positions of an output row or column, and the second one's weight.
    private struct Tap {
        var low: Int, high: Int, weight: Float
    }

    /// The taps of each of the `size × scale` outputs along one axis of `size` inputs.
    private func taps(_ size: Int) -> [Tap] {
        (0..<size * scale).map { o in
            switch mode {
            case .nearest:
                return Tap(low: o / scale, high: o / scale, weight: 0)
            case .bilinear:
                let source = max((Float(o) + 0.5) / Float(scale) - 0.5, 0)
                let low = min(Int(source), size - 1)
                return Tap(low: low, high: min(low + 1, size - 1), weight: source - Float(low))
            }
        }
    }

    /// Calls `body(output index, input index, weight)` for every tap of an H×W plane.
    private func forEachTap(height: Int, width: Int, _ body: (Int, Int, Float) -> Void) {
        let rows = taps(height), columns = taps(width), outWidth = width * scale
        for (oh, r) in rows.enumerated() {
            for (ow, c) in columns.enumerated() {
                let o = oh * outWidth + ow
                body(o, r.low * width + c.low, (1 - r.weight) * (1 - c.weight))
                if mode == .bilinear {
                    body(o, r.low * width + c.high, (1 - r.weight) * c.weight)
                    body(o, r.high * width + c.low, r.weight * (1 - c.weight))
                    body(o, r.high * width + c.high, r.weight * c.weight)
                }
            }
        }
    }

    public func forward(_ input: Tensor) throws(ShapeError) -> Tensor {
        let shape = try outputShape(for: input.shape)
        output.resize(to: shape)
        if mode == .bilinear { output.fill(0) }  // nearest writes every value
        let (height, width) = (input.shape[2], input.shape[3])
        let plane = height * width, outPlane = plane * scale * scale
        let outWidth = width * scale
        for p in 0..<(shape[0] * shape[1]) {
            let x = input.data + p * plane, y = output.data + p * outPlane
            if mode == .nearest {
                // each input row repeated, then the row itself scale times
                for h in 0..<height {
                    let out = y + h * scale * outWidth, row = x + h * width
                    for w in 0..<width { for j in 0..<scale { out[w * scale + j] = row[w] } }
                    for copy in 1..<max(scale, 1) { (out + copy * outWidth).update(from: out, count: outWidth) }
                }
            } else {
                forEachTap(height: height, width: width) { o, i, weight in y[o] += weight * x[i] }
            }
        }
        inputShape = input.shape
        return output
    }

    public func backward(_ gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        guard let inputShape else { throw ShapeError("Upsample: backward called before forward") }
        try checkGradient(gradOutput, matches: output)
        gradInput.resize(to: inputShape)
        if mode == .bilinear { gradInput.fill(0) }  // nearest writes every value
        let (height, width) = (inputShape[2], inputShape[3])
        let plane = height * width, outPlane = plane * scale * scale
        let outWidth = width * scale
        for p in 0..<(inputShape[0] * inputShape[1]) {
            let g = gradOutput.data + p * outPlane, dx = gradInput.data + p * plane
            if mode == .nearest {
                for oh in 0..<(height * scale) {
                    // the first of an input row's output rows starts its sums at 0
                    let row = g + oh * outWidth, out = dx + (oh / scale) * width, first = oh % scale == 0
                    for w in 0..<width {
                        var sum: Float = 0
                        for j in 0..<scale { sum += row[w * scale + j] }
                        out[w] = (first ? 0 : out[w]) + sum
                    }
                }
            } else {
                forEachTap(height: height, width: width) { o, i, weight in dx[i] += weight * g[o] }
            }
        }
        return gradInput
    }
}

extension Upsample: LinearInInput {}

extension Upsample {
    /// `- upsample: {scale: 2, mode: nearest}` (mode: nearest by default, or bilinear).
    public struct Kind: LayerKind, Equatable {
        public var scale: Int
        public var mode: Mode
        public init(scale: Int, mode: Mode = .nearest) {
            self.scale = scale
            self.mode = mode
        }
        public static let name = "upsample"
        public static let example: String? = "'upsample: {scale: 2, mode: nearest}'"

        public static func parse(_ arguments: YAMLNode?, path: String) throws(SpecError) -> Kind {
            let f = try arguments!.fields(path, allowed: ["scale", "mode"])
            return Kind(scale: try f.required("scale").int(f.path("scale"), min: 1, max: maxLayerWindow),
                        mode: try f["mode"]?.choice(f.path("mode"), Mode.self) ?? .nearest)
        }

        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer {
            try require(rank: 3, input, "upsample needs C×H×W inputs")
            guard let size = Tensor.checkedElementCount([input[0], input[1], input[2], scale, scale]), size <= maxLayerSize else {
                throw ShapeError("upsample by \(scale) makes \(input.shapeDescription) larger than \(maxLayerSize) values per image")
            }
            return Upsample(scale: scale, mode: mode)
        }

        public func describe(input: [Int]) -> LayerDescription {
            let factor = Double(scale)
            let corners: [(String, JSONValue)] = mode == .bilinear ? [("align_corners", .bool(false))] : []
            return LayerDescription("Upsample", [("scale_factor", .double(factor)), ("mode", .string(mode.rawValue))] + corners,
                                    text: "Upsample(scale_factor=\(factor), mode='\(mode.rawValue)')")
        }

        /// Average pooling of the same factor.
        public func mirror(input: [Int], output: [Int]) throws(ShapeError) -> [any LayerKind] {
            scale == 1 ? [] : [AvgPool2d.Kind(PoolWindow(kernel: scale))]
        }
    }
}
