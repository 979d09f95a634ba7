import CKernels

/// A residual block, `shortcut(x) + body(x)`: the Python package's `Residual` module, whose
/// `body` and `shortcut` are `torch.nn.Sequential`s (an empty shortcut is the identity), so
/// its parameters are keyed "body.<j>.<name>" and "shortcut.<j>.<name>".
public final class Residual: OwnsItsResults, ContainsLayers {
    public let body: Sequential
    /// Empty: the identity.
    public let shortcut: Sequential
    public var typeName: String { "Residual" }
    private let output = Tensor(zeros: [0]), gradInput = Tensor(zeros: [0])
    private let gradGradOutput = Tensor(zeros: [0])
    /// The shape of the last forward's output (which may be the body's storage).
    private var outputShape: [Int] = []

    /// Whether the sum may be written over the body's output: its last layer owns that
    /// storage and does not read it again (it ran out of place, and is not an activation,
    /// whose backward reads its output).
    private let sumsOverBody: Bool

    public init(body: Sequential, shortcut: Sequential) {
        self.body = body
        self.shortcut = shortcut
        sumsOverBody = body.layers.last is OwnsItsResults && !(body.layers.last is InPlaceReshape) && body.forwardsInPlace.last == false
    }

    public var sublayers: [Layer] { [body, shortcut] }

    public var isTraining: Bool {
        get { body.isTraining }
        set {
            body.isTraining = newValue
            shortcut.isTraining = newValue
        }
    }

    public var parameters: [NamedParameter] {
        body.parameters.map { ("body.\($0.name)", $0.parameter) } + shortcut.parameters.map { ("shortcut.\($0.name)", $0.parameter) }
    }
    public var buffers: [NamedBuffer] {
        body.buffers.map { ("body.\($0.name)", $0.tensor) } + shortcut.buffers.map { ("shortcut.\($0.name)", $0.tensor) }
    }
    public var counters: [NamedCounter] {
        body.counters.map { ("body.\($0.name)", $0.counter) } + shortcut.counters.map { ("shortcut.\($0.name)", $0.counter) }
    }

    public func reset(_ scheme: Initialization, generator: inout RandomGenerator) {
        body.reset(scheme, generator: &generator)
        shortcut.reset(scheme, generator: &generator)
    }

    public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
        let main = try body.outputShape(for: inputShape), side = try shortcut.outputShape(for: inputShape)
        guard main == side else {
            throw ShapeError("its body gives \(main.dropFirst().map { $0 }.shapeDescription) but its shortcut \(side.dropFirst().map { $0 }.shapeDescription)")
        }
        return main
    }

    public func forward(_ input: Tensor) throws(ShapeError) -> Tensor {
        let main = try body.forward(input)
        let side = shortcut.layers.isEmpty ? input : try shortcut.forward(input)
        guard side.shape == main.shape else { throw ShapeError("Residual: body gives \(main.shape), shortcut \(side.shape)") }
        guard sumsOverBody, main !== input, main !== side else {
            output.resize(to: main.shape)
            Residual.add(main, side, into: output)
            outputShape = main.shape
            return output
        }
        Residual.add(main, side, into: main)
        outputShape = main.shape
        return main
    }

    public func backward(_ gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        guard gradOutput.shape == outputShape else {
            throw ShapeError("Residual: gradient \(gradOutput.shape) does not match its output \(outputShape)")
        }
        // a Sequential never writes over the gradient it is given: both branches read it
        let fromBody = try body.backward(gradOutput, accumulateParameterGradients: accumulateParameterGradients)
        let fromShortcut = shortcut.layers.isEmpty ? gradOutput
            : try shortcut.backward(gradOutput, accumulateParameterGradients: accumulateParameterGradients)
        return sumOfGradients(fromBody, fromShortcut, gradOutput: gradOutput)
    }

    /// The input gradient, the sum of the branches': over the body's, or into `gradInput`.
    private func sumOfGradients(_ fromBody: Tensor, _ fromShortcut: Tensor, gradOutput: Tensor) -> Tensor {
        // the body's input gradient is its first layer's storage, not read again: the sum
        // goes over it (a Sequential never returns the gradient it was given)
        guard fromBody !== gradOutput, fromBody !== fromShortcut else {
            gradInput.resize(to: fromBody.shape)
            Residual.add(fromBody, fromShortcut, into: gradInput)
            return gradInput
        }
        Residual.add(fromBody, fromShortcut, into: fromBody)
        return fromBody
    }

    /// sum = a + b, in one pass (`sum` may be `a`).
    private static func add(_ a: Tensor, _ b: Tensor, into sum: Tensor) { genlab_add(a.data, b.data, sum.data, sum.count) }
}

extension Residual: SecondOrderLayer {
    public func backwardKeepingGradients(_ gradOutput: Tensor) throws(ShapeError) -> Tensor {
        guard gradOutput.shape == outputShape else {
            throw ShapeError("Residual: gradient \(gradOutput.shape) does not match its output \(outputShape)")
        }
        let fromBody = try body.backwardKeepingGradients(gradOutput)
        let fromShortcut = shortcut.layers.isEmpty ? gradOutput : try shortcut.backwardKeepingGradients(gradOutput)
        return sumOfGradients(fromBody, fromShortcut, gradOutput: gradOutput)
    }

    /// Both branches read the gradient: ∂P/∂g is the sum of theirs.
    public func backwardOfBackward(_ gradGradInput: Tensor) throws(ShapeError) -> Tensor {
        let fromBody = try body.backwardOfBackward(gradGradInput)
        let fromShortcut = shortcut.layers.isEmpty ? gradGradInput : try shortcut.backwardOfBackward(gradGradInput)
        gradGradOutput.resize(to: fromBody.shape)
        Residual.add(fromBody, fromShortcut, into: gradGradOutput)
        return gradGradOutput
    }

    public var hasPendingInputGradient: Bool { body.hasPendingInputGradient || shortcut.hasPendingInputGradient }
}

extension Residual {
    /// `- residual: {body: [layers], shortcut: [layers]}`; without `shortcut`, the identity.
    /// Any layers nest, residual blocks included.
    public struct Kind: LayerKind, Equatable {
        public var body: [LayerSpec]
        /// Empty: the identity.
        public var shortcut: [LayerSpec]

        public init(body: [LayerSpec], shortcut: [LayerSpec] = []) {
            self.body = body
            self.shortcut = shortcut
        }

        public static let name = "residual"
        public static let example: String? = "'residual: {body: [{conv2d: {out: 16, kernel: 3, padding: 1}}, relu]}'"
        /// The largest output a layer inside a block may give per image.
        static let maxItemElements = 1 << 31

        /// How deep blocks may nest (the Python package reads as deep): each level costs its
        /// nested levels' shapes again, so deeper files would take long to check.
        public static let maxNesting = 32

        public static func parse(_ arguments: YAMLNode?, path: String) throws(SpecError) -> Kind {
            let f = try arguments!.fields(path, allowed: ["body", "shortcut"])
            guard path.components(separatedBy: ".residual").count - 1 <= maxNesting else {
                throw SpecError(.tooLarge, "'\(path)': residual blocks nest more than \(maxNesting) deep", at: arguments!.location)
            }
            return Kind(body: try LayerSpec.parseList(try f.required("body"), path: f.path("body")),
                        shortcut: try f["shortcut"].map { node throws(SpecError) in try LayerSpec.parseList(node, path: f.path("shortcut")) } ?? [])
        }

        /// The blocks by attribute name.
        private var blocks: [(name: String, layers: [LayerSpec])] { [("body", body), ("shortcut", shortcut)] }

        /// The item shape before each layer of `layers` and after the last, for items of
        /// `input`; an error names the layer.
        static func shapes(_ layers: [LayerSpec], _ block: String, input: [Int]) throws(ShapeError) -> [[Int]] {
            var shapes = [input]
            for (j, layer) in layers.enumerated() {
                let shape: [Int]
                do { shape = try layer.kind.outputShape(input: shapes[j]) } catch {
                    throw ShapeError("residual \(block)[\(j)] (\(type(of: layer.kind).name), line \(layer.location.line)): \(error.message)")
                }
                guard let count = Tensor.checkedElementCount(shape), count <= maxItemElements else {
                    throw ShapeError("residual \(block)[\(j)] (\(type(of: layer.kind).name), line \(layer.location.line)): its output \(shape.shapeDescription) has more than \(maxItemElements) values per image")
                }
                shapes.append(shape)
            }
            return shapes
        }

        public func outputShape(input: [Int]) throws(ShapeError) -> [Int] {
            let main = try Kind.shapes(body, "body", input: input), side = try Kind.shapes(shortcut, "shortcut", input: input)
            guard main.last! == side.last! else {
                let last = body[body.count - 1]
                throw ShapeError("residual: its body ends (body[\(body.count - 1)], \(type(of: last.kind).name), line \(last.location.line)) with \(main.last!.shapeDescription) but its shortcut gives \(side.last!.shapeDescription)")
            }
            return main.last!
        }

        public func parameterCount(input: [Int]) -> Int? {
            var total = 0
            for (name, layers) in blocks {
                guard let shapes = try? Kind.shapes(layers, name, input: input) else { return nil }
                for (layer, shape) in zip(layers, shapes) {
                    guard let count = layer.kind.parameterCount(input: shape) else { return nil }
                    let (sum, overflow) = total.addingReportingOverflow(count)
                    if overflow { return nil }
                    total = sum
                }
            }
            return total
        }

        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer {
            _ = try outputShape(input: input)
            var sequentials: [Sequential] = []
            for (name, layers) in blocks {
                let shapes = try Kind.shapes(layers, name, input: input)
                var built: [Layer] = []
                for (j, (layer, shape)) in zip(layers, shapes).enumerated() {
                    do { built.append(try layer.kind.build(input: shape, generator: &generator)) } catch {
                        throw ShapeError("residual \(name)[\(j)] (\(type(of: layer.kind).name), line \(layer.location.line)): \(error.message)")
                    }
                }
                sequentials.append(Sequential(built))
            }
            return Residual(body: sequentials[0], shortcut: sequentials[1])
        }

        public func describe(input: [Int]) -> LayerDescription {
            LayerDescription(blocks: blocks.map { name, layers in
                let shapes = (try? Kind.shapes(layers, name, input: input)) ?? []
                return (name, zip(layers, shapes).map { $0.kind.describe(input: $1) })
            })
        }

        /// A block of the mirrored body and the mirrored shortcut, each layer replaced by its
        /// mirror in reverse order.
        public func mirror(input: [Int], output: [Int]) throws(ShapeError) -> [any LayerKind] {
            var mirrored: [[LayerSpec]] = []
            for (name, layers) in blocks {
                let shapes = try Kind.shapes(layers, name, input: input)
                var reversed: [LayerSpec] = []
                for (j, layer) in layers.enumerated().reversed() {
                    do {
                        reversed += try layer.kind.mirror(input: shapes[j], output: shapes[j + 1]).map { LayerSpec($0, location: layer.location) }
                    } catch {
                        throw ShapeError("residual \(name)[\(j)] (\(type(of: layer.kind).name), line \(layer.location.line)): \(error.message)")
                    }
                }
                mirrored.append(reversed)
            }
            guard !mirrored[0].isEmpty else { throw ShapeError("residual: its body mirrors to no layer") }
            return [Kind(body: mirrored[0], shortcut: mirrored[1])]
        }
    }
}
