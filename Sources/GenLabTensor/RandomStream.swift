/// The independent random streams one seed gives (PCG32's stream selector): each use of
/// randomness draws from its own, so that adding a use never shifts another's numbers. The
/// numbers are part of every run file's bits and never change.
public struct RandomStream: Sendable, Equatable {
    /// PCG32's stream selector.
    public let number: UInt64

    /// A stream by its number (the tests' own streams; GenLab's are named below).
    public init(_ number: UInt64) { self.number = number }

    /// The training set's order in `epoch` (0-based): streams 1, 2, 3, … — shared with the
    /// named streams below from epoch 0 (`initialization`) and epoch 10 on; kept so, as run
    /// files and resumes depend on it.
    public static func shuffle(epoch: Int) -> RandomStream { RandomStream(UInt64(epoch) &+ 1) }

    /// The networks' initial weights.
    public static let initialization = RandomStream(1)
    /// Training noise: ε of the reparameterisation, GAN noise, corruption.
    public static let trainingNoise = RandomStream(11)
    /// The masks of dropout layers (2⁴⁰: beyond every epoch's shuffle stream).
    public static let dropout = RandomStream(1 << 40)
    /// The fixed noise recorded samples decode or generate from (GANs, CVAE).
    public static let sampleNoise = RandomStream(12)
    /// ε of recorded latents (z = μ + σ·ε).
    public static let latentNoise = RandomStream(13)
    /// The draws of each validation (ε, fresh fakes, corruption), from its start every time
    /// (2⁴⁰ + 1: beyond every epoch's shuffle stream).
    public static let validation = RandomStream((1 << 40) + 1)
    /// The images the reconstructions analysis picks.
    public static let reconstructions = RandomStream(21)
    /// The prior samples analysis's z.
    public static let priorSamples = RandomStream(22)
    /// The interpolation analysis's pairs; the same number as `metrics` (kept: both
    /// analyses' stored results depend on it, and they never draw in one process together).
    public static let interpolation = RandomStream(23)
    /// The metrics analysis's Monte-Carlo samples.
    public static let metrics = RandomStream(23)
    /// The posterior fit's optimisation.
    public static let posteriorFit = RandomStream(25)
    /// The posterior fit's evaluation samples.
    public static let posteriorEvaluation = RandomStream(26)
    /// Activation maximisation's starting z.
    public static let activationMaximisation = RandomStream(27)
    /// The subspace iteration's starting vectors (principal components above 256 dimensions).
    public static let principalComponents = RandomStream(28)
    /// The generator scores' z; the same number as `memorisation` (kept, as for 23).
    public static let generatorScores = RandomStream(29)
    /// The memorisation analysis's samples.
    public static let memorisation = RandomStream(29)
    /// The evaluation classifier's initial weights and order.
    public static let evaluationClassifier = RandomStream(31)
    /// The grid images a procedural dataset (dSprites) gives as its test images, with seed 0.
    public static let proceduralTest = RandomStream(41)
    /// The factors the disentanglement metrics sample from a factor grid.
    public static let disentanglement = RandomStream(42)
}
