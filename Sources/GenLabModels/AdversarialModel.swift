import GenLabNN
import GenLabSpec

/// A GAN or WGAN (`kind: gan`, `wgan`): a generator G(z), z ~ N(0, I), and its opponent, a
/// discriminator (probability or logit of "real") or a critic (a score).
public final class AdversarialModel: GenerativeModel {
    /// How the opponent rates images.
    public enum Opponent: Sendable {
        /// P(real) or its logit, with BCE against 1 (real) or 0 (fake); or a score with the
        /// hinge or least-squares loss.
        case discriminator(AdversarialSpec.Loss)
        /// A score f(x), with the loss −mean f(x) for real images and mean f(x) for fakes.
        case critic
    }

    public let model: BuiltModel
    let spec: AdversarialSpec
    let generator: Sequential
    /// The discriminator (GAN) or critic (WGAN).
    let opponent: Sequential
    /// "discriminator" or "critic": the opponent's network and optimizer name.
    let opponentName: String
    let rating: Opponent
    /// One noise vector's shape: G's input.
    let noiseShape: [Int]
    private let noise = Tensor(zeros: [0]), target = Tensor(zeros: [0]), gradOutput = Tensor(zeros: [0])
    /// The gradient penalty's interpolates, ε per image, and ∂P/∂(the critic's input gradients).
    private let interpolates = Tensor(zeros: [0]), epsilon = Tensor(zeros: [0]), gradGradients = Tensor(zeros: [0])

    init(_ model: BuiltModel, _ networks: AdversarialNetworks, rating: Opponent) {
        self.model = model
        self.rating = rating
        spec = model.experiment.model.adversarial!
        generator = networks.generator.network
        opponent = networks.opponent.network
        opponentName = networks.opponent.name
        noiseShape = networks.generator.inputShape
    }

    public var sampleNoiseShape: [Int]? { noiseShape }

    /// G(z) for `n` noise vectors drawn by `source`.
    func fakeBatch(_ n: Int, _ source: inout NoiseSource) throws(ShapeError) -> Tensor {
        noise.resize(to: [n] + noiseShape)
        try source.fill(noise)
        return try generator.forward(noise)
    }

    /// Whose loss a rating is: the opponent's on real images or on fakes, or the generator's
    /// on its fakes.
    enum Role {
        case real, fake, generator
    }

    /// The loss of `role` for `input` as the opponent rates it, back-propagated to the input;
    /// the opponent's parameter gradients accumulate only with `updateOpponent`.
    func rate(_ input: Tensor, as role: Role, updateOpponent: Bool) throws(ShapeError) -> (loss: Float, gradInput: Tensor) {
        let output = try opponent.forward(input)
        let value: Float
        switch rating {
        case .discriminator(let loss):
            switch loss {
            case .bce, .bceLogits:
                // the generator's BCE takes its fakes as real
                target.resize(to: [input.shape.first ?? 0, 1])
                target.fill(role == .fake ? 0 : 1)
                if loss == .bce {
                    value = try BCELoss().forward(output, target)
                    try BCELoss().backward(output, target, into: gradOutput)
                } else {
                    value = try BCEWithLogitsLoss().forward(output, target)
                    try BCEWithLogitsLoss().backward(output, target, into: gradOutput)
                }
            case .hinge where role == .generator:
                value = WassersteinLoss(sign: -1).forward(output)
                WassersteinLoss(sign: -1).backward(output, into: gradOutput)
            case .hinge:
                value = HingeLoss(real: role == .real).forward(output)
                HingeLoss(real: role == .real).backward(output, into: gradOutput)
            case .leastSquares:
                let squares = LeastSquaresLoss(target: role == .fake ? 0 : 1)
                value = squares.forward(output)
                squares.backward(output, into: gradOutput)
            }
        case .critic:
            let loss = WassersteinLoss(sign: role == .fake ? 1 : -1)
            loss.backward(output, into: gradOutput)
            value = loss.forward(output)
        }
        return (value, try opponent.backward(gradOutput, accumulateParameterGradients: updateOpponent))
    }

    /// WGAN-GP's penalty λ·mean_i (‖∇x̂ f(x̂_i)‖₂ − t)² on x̂_i = ε_i·real_i + (1 − ε_i)·fake_i,
    /// ε_i uniform in [0, 1) drawn by `source` (one per image, after the step's fake batch);
    /// adds its gradient to the critic's parameter gradients by double backprop
    /// (`SecondOrderLayer`), as `torch.autograd.grad(…, create_graph=True)` does. A zero
    /// input gradient contributes no gradient (PyTorch's norm at 0).
    func gradientPenalty(real: Tensor, fake: Tensor, _ penalty: AdversarialSpec.GradientPenalty,
                         _ source: inout NoiseSource) throws(ShapeError) -> Float {
        let n = real.shape[0], item = real.count / max(n, 1)
        guard fake.shape == real.shape else { throw ShapeError("fake images \(fake.shape.shapeDescription) ≠ real \(real.shape.shapeDescription)") }
        epsilon.resize(to: [n])
        try source.fill(epsilon, uniform: true)
        interpolates.resize(to: real.shape)
        let x = real.data, g = fake.data, mix = interpolates.data
        for i in 0..<n {
            let e = epsilon[i]
            for j in (i * item)..<((i + 1) * item) { mix[j] = e * x[j] + (1 - e) * g[j] }
        }
        let scores = try opponent.forward(interpolates)
        gradOutput.resize(to: scores.shape)
        gradOutput.fill(1)
        let gradients = try opponent.backwardKeepingGradients(gradOutput)
        gradGradients.resize(to: gradients.shape)
        let weight = penalty.weight, d = gradients.data, v = gradGradients.data
        var total = 0.0
        for i in 0..<n {
            var squares = 0.0
            for j in (i * item)..<((i + 1) * item) { squares += Double(d[j]) * Double(d[j]) }
            let norm = squares.squareRoot(), gap = norm - penalty.target
            total += gap * gap
            let coefficient = Float(norm > 0 ? weight * 2 * gap / (Double(n) * norm) : 0)
            for j in (i * item)..<((i + 1) * item) { v[j] = coefficient * d[j] }
        }
        _ = try opponent.backwardOfBackward(gradGradients)
        if opponent.hasPendingInputGradient {
            gradOutput.fill(0)
            _ = try opponent.backward(gradOutput, accumulateParameterGradients: true)
        }
        return Float(weight * total / Double(n))
    }

    /// The generator's loss on `fake` images as the opponent rates them (a GAN's BCE against
    /// "real", a WGAN's −mean critic score) and its gradient with respect to `fake`; the
    /// opponent's parameter gradients are left untouched.
    public func generatorLoss(_ fake: Tensor) throws(ShapeError) -> (loss: Float, gradInput: Tensor) {
        try rate(fake, as: .generator, updateOpponent: false)
    }

    public func samples(holdout: Tensor, noise fixed: Tensor) throws(ShapeError) -> Tensor {
        try evaluating { () throws(ShapeError) -> Tensor in try generator.forward(fixed) }
    }

    /// G(z) in evaluation mode (as `samples`).
    public func generate(_ z: Tensor) throws(ShapeError) -> Tensor { try samples(holdout: Tensor(zeros: [0]), noise: z) }

    /// ∂/∂z (the noise's shape) given ∂/∂images of the images last generated; the weights'
    /// gradients are never touched.
    public func generatorGradient(_ gradImages: Tensor) throws(ShapeError) -> Tensor {
        try generator.backward(gradImages, accumulateParameterGradients: false)
    }
}

/// A GAN or WGAN trainer: one iteration draws its fake batches' noise from a `NoiseSource`,
/// so the same iteration runs on the training's random generator or on given noise.
public protocol AdversarialTrainer: Trainer {
    /// The model it trains.
    var adversarial: AdversarialModel { get }
    /// One iteration on a real batch, the noise drawn from `source`.
    func step(_ batch: Tensor, drawing source: inout NoiseSource) throws(ShapeError) -> [String: Float]
}

extension AdversarialTrainer {
    public var generative: any GenerativeModel { adversarial }

    public func step(_ batch: Tensor, labels: [Int32], generator randomGenerator: inout RandomGenerator) throws(ShapeError) -> [String: Float] {
        var source = NoiseSource.random(randomGenerator)
        defer { randomGenerator = source.generator! }
        return try step(batch, drawing: &source)
    }

    /// One iteration with the given noise tensors (one per fake batch, in the order drawn)
    /// instead of drawn noise, as the PyTorch reference steps fix them.
    public func step(_ batch: Tensor, noise: [Tensor]) throws(ShapeError) -> [String: Float] {
        var source = NoiseSource.given(noise)
        return try step(batch, drawing: &source)
    }
}
