import GenLabNN
import GenLabSpec

/// A GAN or WGAN (`kind: gan`, `wgan`): a generator G(z), z ~ N(0, I), and its opponent, a
/// discriminator (probability or logit of "real") or a critic (a score). A conditional one
/// (`classes`) appends the one-hot label to G's noise (after it, as channels of a 1×1 image
/// for a convolutional G) and to the opponent's input (columns after the flattened image
/// when the opponent starts with `flatten` or `linear`, else constant channels); a training
/// step's fakes take the real batch's labels.
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
    /// One noise vector's shape: G's input without a conditional model's label.
    let noiseShape: [Int]
    /// The classes a conditional model takes (0: unconditional).
    public let classes: Int
    /// The labels of the images being rated and generated: the training batch's, or those
    /// `generate` draws with (conditional models only).
    var labels: [Int32] = []
    private let labelsAsColumns: Bool
    /// G's and the opponent's inputs with their labels, and gradients without them.
    private let conditionedNoise = Tensor(zeros: [0]), conditionedImages = Tensor(zeros: [0])
    private let gradImages = Tensor(zeros: [0]), gradNoise = Tensor(zeros: [0])
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
        classes = spec.classes
        labelsAsColumns = AdversarialNetworks.labelsAsColumns(spec)
        noiseShape = [networks.generator.inputShape[0] - spec.classes] + networks.generator.inputShape.dropFirst()
    }

    /// G's input: the noise, with the labels appended for a conditional model.
    private func generatorInput(_ noise: Tensor) throws(ShapeError) -> Tensor {
        guard classes > 0 else { return noise }
        try OneHotChannels(classes: classes).forward(noise, labels: labels, into: conditionedNoise)
        return conditionedNoise
    }

    /// The opponent's input: the images, with the labels appended for a conditional model.
    private func opponentInput(_ images: Tensor) throws(ShapeError) -> Tensor {
        guard classes > 0 else { return images }
        if labelsAsColumns {
            try OneHotConcat(classes: classes).forward(images, labels: labels, into: conditionedImages)
        } else {
            try OneHotChannels(classes: classes).forward(images, labels: labels, into: conditionedImages)
        }
        return conditionedImages
    }

    /// ∂/∂images from ∂/∂(the opponent's input): the label columns or channels dropped.
    private func imageGradient(_ gradient: Tensor, images: [Int]) throws(ShapeError) -> Tensor {
        guard classes > 0 else { return gradient }
        if labelsAsColumns {
            try OneHotConcat(classes: classes).backward(gradient, features: images.dropFirst().reduce(1, *), into: gradImages)
            try gradImages.reshape(images)
        } else {
            try OneHotChannels(classes: classes).backward(gradient, shape: images, into: gradImages)
        }
        return gradImages
    }

    public var sampleNoiseShape: [Int]? { noiseShape }

    /// G(z) for `n` noise vectors drawn by `source` (with `labels`, for a conditional model).
    func fakeBatch(_ n: Int, _ source: inout NoiseSource) throws(ShapeError) -> Tensor {
        noise.resize(to: [n] + noiseShape)
        try source.fill(noise)
        return try generator.forward(try generatorInput(noise))
    }

    /// Whose loss a rating is: the opponent's on real images or on fakes, or the generator's
    /// on its fakes.
    enum Role {
        case real, fake, generator
    }

    /// The loss of `role` for `input` as the opponent rates it, back-propagated to the input;
    /// the opponent's parameter gradients accumulate only with `updateOpponent`.
    func rate(_ input: Tensor, as role: Role, updateOpponent: Bool) throws(ShapeError) -> (loss: Float, gradInput: Tensor) {
        let value = try loss(try opponent.forward(try opponentInput(input)), of: input.shape.first ?? 0, as: role)
        let gradient = try opponent.backward(gradOutput, accumulateParameterGradients: updateOpponent)
        return (value, try imageGradient(gradient, images: input.shape))
    }

    /// The loss of `role` for `images` as the opponent rates them in evaluation mode, nothing
    /// back-propagated.
    func evaluationLoss(_ images: Tensor, as role: Role) throws(ShapeError) -> Float {
        try evaluating { () throws(ShapeError) -> Float in
            try loss(try opponent.forward(try opponentInput(images)), of: images.shape.first ?? 0, as: role)
        }
    }

    /// The loss of `role` for the opponent's `output` on `n` images; its gradient into
    /// `gradOutput`.
    private func loss(_ output: Tensor, of n: Int, as role: Role) throws(ShapeError) -> Float {
        let value: Float
        switch rating {
        case .discriminator(let loss):
            switch loss {
            case .bce, .bceLogits:
                // the generator's BCE takes its fakes as real
                target.resize(to: [n, 1])
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
        return value
    }

    /// WGAN-GP's penalty λ·mean_i (‖∇x̂ f(x̂_i)‖₂ − t)² on x̂_i = ε_i·real_i + (1 − ε_i)·fake_i,
    /// ε_i uniform in [0, 1) drawn by `source` (one per image, after the step's fake batch);
    /// adds its gradient to the critic's parameter gradients by double backprop
    /// (`SecondOrderLayer`), as `torch.autograd.grad(…, create_graph=True)` does. A zero
    /// input gradient contributes no gradient (PyTorch's norm at 0). A conditional opponent's
    /// gradient is taken with respect to the image only, its labels held.
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
        let scores = try opponent.forward(try opponentInput(interpolates))
        gradOutput.resize(to: scores.shape)
        gradOutput.fill(1)
        let gradients = try opponent.backwardKeepingGradients(gradOutput)
        gradGradients.resize(to: gradients.shape)
        gradGradients.fill(0)
        // each row: the image's values first, then a conditional model's label values
        let weight = penalty.weight, d = gradients.data, v = gradGradients.data, width = gradients.count / max(n, 1)
        var total = 0.0
        for i in 0..<n {
            let image = (i * width)..<(i * width + item)
            var squares = 0.0
            for j in image { squares += Double(d[j]) * Double(d[j]) }
            let norm = squares.squareRoot(), gap = norm - penalty.target
            total += gap * gap
            let coefficient = Float(norm > 0 ? weight * 2 * gap / (Double(n) * norm) : 0)
            for j in image { v[j] = coefficient * d[j] }
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

    /// G(noise) in evaluation mode; a conditional model's with labels 0, 1, …, classes − 1, 0, …
    public func samples(holdout: Tensor, noise fixed: Tensor) throws(ShapeError) -> Tensor { try generate(fixed) }

    /// G(z) in evaluation mode, a conditional model's with `labels` (by default 0, 1, …, as
    /// `samples`), which the opponent then rates the images with.
    public func generate(_ z: Tensor, labels given: [Int32]? = nil) throws(ShapeError) -> Tensor {
        if classes > 0 { labels = given ?? sampleLabels(count: z.shape.first ?? 0) }
        return try evaluating { () throws(ShapeError) -> Tensor in try generator.forward(try generatorInput(z)) }
    }

    /// ∂/∂z (the noise's shape) given ∂/∂images of the images last generated; the weights'
    /// gradients are never touched.
    public func generatorGradient(_ gradImages: Tensor) throws(ShapeError) -> Tensor {
        let gradient = try generator.backward(gradImages, accumulateParameterGradients: false)
        guard classes > 0 else { return gradient }
        let shape = [gradient.shape[0]] + noiseShape
        try OneHotChannels(classes: classes).backward(gradient, shape: shape, into: gradNoise)
        return gradNoise
    }
}

/// A GAN or WGAN trainer: one iteration draws its fake batches' noise from a `NoiseSource`,
/// so the same iteration runs on the training's random generator or on given noise.
public protocol AdversarialTrainer: Trainer {
    /// The model it trains.
    var adversarial: AdversarialModel { get }
    /// One iteration on a real batch (with its labels, which a conditional model's fakes take
    /// too), the noise drawn from `source`.
    func step(_ batch: Tensor, labels: [Int32], drawing source: inout NoiseSource) throws(ShapeError) -> [String: Float]
}

extension AdversarialTrainer {
    public var generative: any GenerativeModel { adversarial }

    public func step(_ batch: Tensor, labels: [Int32], generator randomGenerator: inout RandomGenerator) throws(ShapeError) -> [String: Float] {
        var source = NoiseSource.random(randomGenerator)
        defer { randomGenerator = source.generator! }
        return try step(batch, labels: labels, drawing: &source)
    }

    /// One iteration with the given noise tensors (one per fake batch, in the order drawn)
    /// instead of drawn noise, as the PyTorch reference steps fix them.
    public func step(_ batch: Tensor, labels: [Int32] = [], noise: [Tensor]) throws(ShapeError) -> [String: Float] {
        var source = NoiseSource.given(noise)
        return try step(batch, labels: labels, drawing: &source)
    }

    /// The opponent's losses on held-out real images and on as many fresh fakes (their noise
    /// from `generator`, with the real images' labels), and the generator's loss on those
    /// fakes, all in evaluation mode, nothing updated.
    func validationLosses(_ batch: Tensor, labels: [Int32], generator randomGenerator: inout RandomGenerator) throws(ShapeError)
        -> (real: Float, fake: Float, generator: Float) {
        try condition(on: labels, batch: batch)
        var source = NoiseSource.random(randomGenerator)
        defer { randomGenerator = source.generator! }
        let real = try adversarial.evaluationLoss(batch, as: .real)
        let fakes = try adversarial.evaluating { () throws(ShapeError) -> Tensor in try adversarial.fakeBatch(batch.shape[0], &source) }
        return (real, try adversarial.evaluationLoss(fakes, as: .fake), try adversarial.evaluationLoss(fakes, as: .generator))
    }

    /// Takes the batch's labels for this iteration's ratings and fakes (conditional models).
    func condition(on labels: [Int32], batch: Tensor) throws(ShapeError) {
        guard adversarial.classes > 0 else { return }
        guard labels.count == batch.shape.first else {
            throw ShapeError("a conditional GAN's batch of \(batch.shape.first ?? 0) images came with \(labels.count) labels")
        }
        adversarial.labels = labels
    }
}
