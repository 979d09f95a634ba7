/// The window of `maxpool2d` and `avgpool2d`: kernel, stride (the kernel by default) and
/// zero padding, square, as `torch.nn.MaxPool2d` and `AvgPool2d` take them (ceil_mode off).
public struct PoolWindow: Equatable, Sendable {
    public var kernel: Int
    public var stride: Int
    public var padding: Int

    public init(kernel: Int, stride: Int? = nil, padding: Int = 0) {
        (self.kernel, self.stride, self.padding) = (kernel, stride ?? kernel, padding)
    }

    /// Reads `{kernel: 2, stride: 2, padding: 0}`; padding at most half the kernel, as
    /// PyTorch requires.
    init(_ arguments: YAMLNode?, path: String) throws(SpecError) {
        let f = try arguments!.fields(path, allowed: ["kernel", "stride", "padding"])
        let kernel = try f.required("kernel").int(f.path("kernel"), min: 1, max: maxLayerWindow)
        let padding = try f["padding"]?.int(f.path("padding"), min: 0, max: maxLayerWindow) ?? 0
        guard padding <= kernel / 2 else {
            throw SpecError(.invalidValue, "'\(f.path("padding"))' is \(padding): a pooling window's padding is at most half its kernel (\(kernel / 2))", at: f["padding"]!.location)
        }
        self.init(kernel: kernel, stride: try f["stride"]?.int(f.path("stride"), min: 1, max: maxLayerWindow), padding: padding)
    }

    /// The output's C×H′×W′ for a C×H×W input, or why the window does not fit.
    func outputShape(_ name: String, input: [Int]) throws(ShapeError) -> [Int] {
        guard input.count == 3 else { throw ShapeError("\(name) needs C×H×W inputs, but its input is \(input.shapeDescription)") }
        let sizes = [input[1], input[2]].map { $0 + 2 * padding }
        guard sizes.allSatisfy({ $0 >= kernel }) else {
            throw ShapeError("\(name): its \(kernel)×\(kernel) window is larger than its padded input \(sizes[0])×\(sizes[1])")
        }
        return [input[0]] + sizes.map { ($0 - kernel) / stride + 1 }
    }

    /// The constructor's arguments, resolved.
    var arguments: [(String, JSONValue)] { [("kernel_size", .int(kernel)), ("stride", .int(stride)), ("padding", .int(padding))] }

    /// "kernel_size=2, stride=2, padding=0", PyTorch's words.
    var text: String { "kernel_size=\(kernel), stride=\(stride), padding=\(padding)" }

    /// The upsampling that undoes the pooling from `input` to `output` (nearest, the stride's
    /// factor), or why it cannot.
    func mirror(_ name: String, input: [Int], output: [Int]) throws(ShapeError) -> [any LayerKind] {
        guard output[1] * stride == input[1], output[2] * stride == input[2] else {
            throw ShapeError("\(name) from \(input.shapeDescription) to \(output.shapeDescription): upsampling by its stride \(stride) does not give the input's size back")
        }
        return stride == 1 ? [] : [Upsample.Kind(scale: stride, mode: .nearest)]
    }

    /// Whether the windows lie side by side without padding (kernel = stride, padding 0):
    /// each input value is in at most one window.
    var tiles: Bool { kernel == stride && padding == 0 }

    /// For each output position (oh, ow) of an H×W plane, the input positions its window covers
    /// (padding left out), calling `body(outputIndex, inputIndex)` in row-major window order.
    func forEachWindow(height: Int, width: Int, outHeight: Int, outWidth: Int, _ body: (Int, Int) -> Void) {
        for oh in 0..<outHeight {
            let top = oh * stride - padding
            for ow in 0..<outWidth {
                let left = ow * stride - padding, o = oh * outWidth + ow
                for h in max(top, 0)..<min(top + kernel, height) {
                    for w in max(left, 0)..<min(left + kernel, width) { body(o, h * width + w) }
                }
            }
        }
    }
}

/// A pooling layer over a `PoolWindow`: what `PoolKind` builds.
public protocol PoolingLayer: Layer {
    init(_ window: PoolWindow)
    /// The YAML name ("maxpool2d").
    static var kindName: String { get }
    /// What PyTorch prints after the window's arguments.
    static var textAfterWindow: String { get }
}

/// The kind of `maxpool2d` and `avgpool2d`: a window, built into `Pool`; mirrored into
/// nearest upsampling by the stride.
public struct PoolKind<Pool: PoolingLayer>: LayerKind, Equatable {
    public var window: PoolWindow
    public init(_ window: PoolWindow) { self.window = window }
    public static var name: String { Pool.kindName }
    public static var example: String? { "'\(Pool.kindName): {kernel: 2}'" }

    public static func parse(_ arguments: YAMLNode?, path: String) throws(SpecError) -> Self {
        Self(try PoolWindow(arguments, path: path))
    }

    public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer {
        _ = try window.outputShape(Self.name, input: input)
        return Pool(window)
    }

    public func describe(input: [Int]) -> LayerDescription {
        let module = String(describing: Pool.self)
        return LayerDescription(module, window.arguments, text: "\(module)(\(window.text)\(Pool.textAfterWindow))")
    }

    public func mirror(input: [Int], output: [Int]) throws(ShapeError) -> [any LayerKind] {
        try window.mirror(Self.name, input: input, output: output)
    }
}
