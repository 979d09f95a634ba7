import GenLabNN

/// Finite-difference checks of hand-written gradients.
///
/// The scalar checked is L = Σ output ⊙ r for a fixed random r, accumulated in Float64;
/// each derivative is a central difference (L(x + h) − L(x − h)) / 2h, and it must agree
/// with the analytic one within `absolute + relative·|analytic|`.
public enum GradientCheck {
    public static let step: Float = 1e-2
    public static let absolute = 2e-3
    public static let relative = 1e-2

    /// Random values in [−1, 1], pushed at least `margin` away from zero (keeps ReLU-like
    /// kinks out of reach of the finite difference).
    public static func random(_ shape: [Int], seed: UInt64, margin: Float = 0) -> Tensor {
        var generator = RandomGenerator(seed: seed, stream: RandomStream(7))
        let t = Tensor(zeros: shape)
        generator.fillUniform(t.buffer, low: -1, high: 1)
        if margin > 0 { for i in 0..<t.count { t[i] = t[i] < 0 ? t[i] - margin : t[i] + margin } }
        return t
    }

    static func agree(_ numeric: Double, _ analytic: Double) -> Bool {
        abs(numeric - analytic) <= absolute + relative * abs(analytic)
    }

    /// Compares ∂L/∂input and ∂L/∂parameters of `layer` with central differences;
    /// returns readable lines for the first disagreements (empty when all agree).
    public static func layer(_ layer: Layer, input: Tensor, seed: UInt64 = 11) throws -> [String] {
        let outputShape = try layer.outputShape(for: input.shape)
        let r = random(outputShape, seed: seed)
        func objective() throws -> Double {
            let out = try layer.forward(input)
            var s = 0.0
            for i in 0..<out.count { s += Double(out[i]) * Double(r[i]) }
            return s
        }
        layer.zeroGrad()
        _ = try layer.forward(input)
        let gradInput = try layer.backward(r).clone()
        let targets = [("input", input, gradInput)] + layer.parameters.map { ($0.name, $0.parameter.value, $0.parameter.grad.clone()) }
        return try elementwise(targets, prefix: "\(layer.typeName) ∂/∂", objective: objective)
    }

    /// Central differences of `objective` over every value of each target tensor against the
    /// target's analytic gradient; readable lines ("<prefix><name>[i]: …") for the first five
    /// disagreements.
    static func elementwise(_ targets: [(name: String, tensor: Tensor, analytic: Tensor)], prefix: String,
                            objective: () throws -> Double) rethrows -> [String] {
        var failures: [String] = []
        for (name, tensor, analytic) in targets {
            for i in 0..<tensor.count {
                let saved = tensor[i]
                tensor[i] = saved + step
                let plus = try objective()
                tensor[i] = saved - step
                let minus = try objective()
                tensor[i] = saved
                let numeric = (plus - minus) / (2 * Double(step))
                if !agree(numeric, Double(analytic[i])) && failures.count < 5 {
                    failures.append("\(prefix)\(name)[\(i)]: numeric \(numeric), analytic \(analytic[i])")
                }
            }
        }
        return failures
    }

    /// Compares the second-order pass of `layer` (see `SecondOrderLayer`) with central
    /// differences of P = Σ B ⊙ c + ½·Σ B², B = ∂(Σ output ⊙ g)/∂input, the layer's input
    /// gradient for fixed random g and c: ∂P/∂parameters, ∂P/∂g (`backwardOfBackward`'s
    /// result) and ∂P/∂input (the next backward pass's, from a zero gradient, when the layer
    /// left a term for it; zero otherwise). Returns readable lines for the first
    /// disagreements.
    public static func secondOrder(_ layer: SecondOrderLayer, input: Tensor, seed: UInt64 = 21) throws -> [String] {
        let outputShape = try layer.outputShape(for: input.shape)
        let g = random(outputShape, seed: seed), c = random(input.shape, seed: seed + 1)
        func penalty() throws -> Double {
            _ = try layer.forward(input)
            let b = try layer.backward(g, accumulateParameterGradients: false)
            var s = 0.0
            for i in 0..<b.count { s += Double(b[i]) * (Double(c[i]) + 0.5 * Double(b[i])) }
            return s
        }
        layer.zeroGrad()
        _ = try layer.forward(input)
        let b = try layer.backwardKeepingGradients(g)
        let v = Tensor(zeros: b.shape)
        for i in 0..<v.count { v[i] = c[i] + b[i] }
        let gradG = try layer.backwardOfBackward(v).clone()
        let gradInput = layer.hasPendingInputGradient
            ? try layer.backward(Tensor(zeros: outputShape), accumulateParameterGradients: true).clone() : Tensor(zeros: input.shape)
        let targets = [("input", input, gradInput), ("gradient", g, gradG)]
            + layer.parameters.map { ($0.name, $0.parameter.value, $0.parameter.grad.clone()) }
        let misshapen = targets.filter { $0.2.shape != $0.1.shape }
            .map { "\(layer.typeName) ∂P/∂\($0.0): shape \($0.2.shape), expected \($0.1.shape)" }
        return try misshapen + elementwise(targets.filter { $0.2.shape == $0.1.shape }, prefix: "\(layer.typeName) ∂P/∂", objective: penalty)
    }

    /// Compares, tensor by tensor, the analytic gradients of `parameters` (their `grad` after
    /// `loss` ran once) with directional derivatives: for each of `directions` random
    /// Gaussian directions d, (L(θ + h·d) − L(θ − h·d)) / 2h against ⟨analytic, d⟩. Moving the
    /// whole tensor sums the contributions of all its entries, so Float32 losses resolve
    /// even gradients of 1e-5 per entry. A tensor fails when ‖numeric − analytic‖ >
    /// `tolerance`·‖numeric‖ + `floor` over the directions, or when its analytic gradient is
    /// zero (a network left out of the backward pass: every parameter here has a gradient).
    public static func tensors(_ parameters: [(name: String, parameter: Parameter)], h: Float = 2e-3, directions: Int = 6,
                               tolerance: Double = 5e-2, floor: Double = 1e-6, loss: () throws -> Double) rethrows -> [String] {
        _ = try loss()
        let analytic = parameters.map { $0.parameter.grad.clone() }
        var failures: [String] = []
        for (index, ((name, p), grad)) in zip(parameters, analytic).enumerated() {
            if grad.values.allSatisfy({ $0 == 0 }) {
                failures.append("\(name): the analytic gradient is zero")
                continue
            }
            let saved = p.value.clone()
            var squaredError = 0.0, squaredNumeric = 0.0
            for k in 0..<directions {
                var generator = RandomGenerator(seed: UInt64(1000 * index + k), stream: RandomStream(9))
                let d = Tensor(zeros: p.value.shape)
                generator.fillNormal(d.buffer)
                var expected = 0.0
                for i in 0..<d.count { expected += Double(grad[i]) * Double(d[i]) }
                for i in 0..<d.count { p.value[i] = saved[i] + h * d[i] }
                let plus = try loss()
                for i in 0..<d.count { p.value[i] = saved[i] - h * d[i] }
                let minus = try loss()
                p.value.copy(from: saved)
                let numeric = (plus - minus) / Double(2 * h)
                squaredError += (numeric - expected) * (numeric - expected)
                squaredNumeric += numeric * numeric
            }
            let error = squaredError.squareRoot(), norm = squaredNumeric.squareRoot()
            if error > tolerance * norm + floor {
                failures.append("\(name): directional derivatives differ by \(error) (numeric norm \(norm))")
            }
        }
        return failures
    }

    /// Compares an analytic gradient with central differences of `loss` over `tensor`.
    public static func function(_ name: String, of tensor: Tensor, analytic: Tensor,
                                loss: () throws -> Float) rethrows -> [String] {
        try elementwise([(name, tensor, analytic)], prefix: "∂") { Double(try loss()) }
    }
}
