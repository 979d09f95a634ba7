import GenLabNN

/// A built model seen from outside, as analyses and the recorder use it: what it generates.
/// It holds no optimizer; a `Trainer` updates one.
public protocol GenerativeModel: AnyObject {
    var model: BuiltModel { get }
    /// What to record as samples, in evaluation mode: reconstructions of `holdout`
    /// (autoencoders), decodings of `noise` with labels cycling through the classes (CVAE),
    /// or the generator's images of `noise` (GANs). The result is in normalised space.
    func samples(holdout: Tensor, noise: Tensor) throws(ShapeError) -> Tensor
    /// The shape of one noise item for `samples` (latent, or latent×1×1 for convolutional
    /// generators); nil when samples are reconstructions.
    var sampleNoiseShape: [Int]? { get }
    /// The classes a CVAE or a conditional GAN conditions on (0 for other models).
    var classes: Int { get }
}

extension GenerativeModel {
    public var classes: Int { 0 }

    /// The labels conditional samples are drawn with: 0, 1, …, classes − 1, 0, …
    public func sampleLabels(count: Int) -> [Int32] { (0..<count).map { Int32($0 % max(classes, 1)) } }

    /// Runs `body` with every network in evaluation mode, then puts each network back in the
    /// mode it had before, so scopes nest (an inner scope leaves the outer one evaluating).
    func evaluating<T>(_ body: () throws(ShapeError) -> T) throws(ShapeError) -> T {
        let modes = model.networks.map(\.network.isTraining)
        for built in model.networks { built.network.isTraining = false }
        defer { for (built, mode) in zip(model.networks, modes) { built.network.isTraining = mode } }
        return try body()
    }
}
